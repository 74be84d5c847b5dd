// The launcher in front of the bundle: ES5 only, the version floor at exactly 18.19, and what install reads back.
import { transformSync } from 'esbuild';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BUNDLE_PATH, checkNodePath, isLauncher, launcherInterpreter, launcherText } from '../../../src/install/launcher.js';

const text = (value: string) => new TextEncoder().encode(value);
const body = (launcher: string) => launcher.slice(launcher.indexOf('\n') + 1);

/** esbuild lowers or refuses anything newer than ES5 for target es5: unchanged output means nothing needed it. */
function es5Problems(code: string): string | undefined {
  try {
    return transformSync(code, { target: 'es5', loader: 'js' }).code === transformSync(code, { target: 'esnext', loader: 'js' }).code ? undefined : 'esbuild had to lower it to ES5';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Runs the launcher's own text (after its #! line) in a fresh V8 context with the given Node version: `process`
 * carries what the launcher reads and collects what it writes, `require` records the module it would load.
 */
function launch(nodeVersion: string, argv: string[] = []) {
  const out = { stdout: '', stderr: '', exitCode: undefined as number | undefined, required: [] as string[], argv: ['/usr/bin/node', '/usr/bin/guest-boot-agent', ...argv] };
  const processLike = {
    versions: { node: nodeVersion },
    version: `v${nodeVersion}`,
    execPath: '/usr/bin/node',
    argv: out.argv,
    stdout: { write: (chunk: string) => (out.stdout += chunk) },
    stderr: { write: (chunk: string) => (out.stderr += chunk) },
    set exitCode(code: number) {
      out.exitCode = code;
    },
  };
  runInNewContext(`(function (process, require) {\n${body(launcherText('/usr/bin/node'))}\n})`)(processLike, (path: string) => out.required.push(path));
  return out;
}

describe('the launcher', () => {
  it('is ES5 that esbuild need not lower (Node 10 parses it; the image test runs it on Node 12)', () => {
    expect(es5Problems(body(launcherText('/usr/bin/node')))).toBeUndefined();
  });

  // The check must be able to fail.
  it.each(['const a = 1;', 'var f = () => 1;', 'var s = `${1}`;', 'var b = a?.b;'])('the ES5 check rejects %s', (code) => {
    expect(es5Problems(code)).toBeDefined();
  });

  it('names its interpreter in the #! line and the bundle by its absolute path', () => {
    const launcher = launcherText('/usr/lib/guest-boot-agent/node/bin/node');
    expect(launcher.split('\n')[0]).toBe('#!/usr/lib/guest-boot-agent/node/bin/node');
    expect(launcher).toContain(`var bundle = "${BUNDLE_PATH}";`);
  });

  it.each(['18.19.0', '18.20.4', '20.19.2', '22.23.5', '100.0.0'])('runs the bundle on Node %s, as if node had been given the bundle', (version) => {
    const ran = launch(version, ['--version']);
    expect({ required: ran.required, argv1: ran.argv[1], exitCode: ran.exitCode, stderr: ran.stderr }).toEqual({ required: [BUNDLE_PATH], argv1: BUNDLE_PATH, exitCode: undefined, stderr: '' });
  });

  it.each(['18.18.2', '16.20.2', '12.22.12', '10.24.0', '8.17.0'])('refuses Node %s with one clear line and exit 2, never loading the bundle', (version) => {
    const ran = launch(version, ['--version']);
    expect({ required: ran.required, exitCode: ran.exitCode, stdout: ran.stdout }).toEqual({ required: [], exitCode: 2, stdout: '' });
    expect(ran.stderr).toMatch(new RegExp(`^guest-boot-agent needs Node >= 18\\.19, but /usr/bin/node is v${version.replace(/\./g, '\\.')}: .+\\n$`));
  });

  it('with --json, the refusal is also the one JSON document on stdout', () => {
    const ran = launch('12.22.12', ['--json', 'show']);
    expect(JSON.parse(ran.stdout)).toEqual({ command: null, exitCode: 2, error: expect.stringContaining('needs Node >= 18.19') });
  });
});

describe('reading a launcher back', () => {
  it('finds the interpreter of a launcher install wrote, and nothing in anything else', () => {
    expect(launcherInterpreter(text(launcherText('/opt/node/bin/node')))).toBe('/opt/node/bin/node');
    expect(launcherInterpreter(text(launcherText('/usr/bin/env node')))).toBe('/usr/bin/env node');
    expect(launcherInterpreter(text('#!/usr/bin/env node\n"use strict";var a;'))).toBeUndefined();
    expect(isLauncher(text(launcherText('/usr/bin/node')))).toBe(true);
    expect(isLauncher(text('#!/usr/bin/env node\n"use strict";var a;'))).toBe(false);
  });
});

describe('checkNodePath', () => {
  it.each(['/usr/bin/node', '/usr/bin/node20', '/usr/lib/guest-boot-agent/node/bin/node', '/opt/node-v22.23.5-linux-s390x/bin/node'])('accepts %s', (path) => {
    expect(checkNodePath(path)).toBeUndefined();
  });

  it.each(['node', 'bin/node', '/usr/bin/node --inspect', '/usr/bin/node\n', '/usr/../tmp/node', '/usr/./bin/node', '/usr/bin/nöde', `/${'x'.repeat(121)}`, ''])('rejects %j', (path) => {
    expect(checkNodePath(path)).toMatch(/^--node /);
  });
});
