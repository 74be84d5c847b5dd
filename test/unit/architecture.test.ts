// Enforces the functional core / imperative shell split (DESIGN §7) on the real import graph (test/helpers/import-graph.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkArchitecture, sourceFiles } from '../helpers/import-graph.js';

const SRC = join(__dirname, '../../src');

/** The functional core: parse, plan, render, values. Everything they import at run time must be in here too. */
const PURE = [
  /^cmdline\//,
  /^values\//,
  /\/paths\.ts$/,
  /\/plan\.ts$/,
  /\/setmac-plan\.ts$/,
  /\/setmac-target\.ts$/,
  /\/mac-steps\.ts$/,
  /\/triple\.ts$/,
  /\/cio-ignore\.ts$/,
  /\/snapshot\.ts$/,
  /\/schema\.ts$/,
  /\/guid-layout\.ts$/,
  /^sriov\/backends\//,
  /^plan\/action\.ts$/,
  /^cli\/render.*\.ts$/,
  /^cli\/exit-code\.ts$/,
  /^lib\//,
  /^sriov\/sources\/http-policy\.ts$/,
  /^concurrency\.ts$/,
  /^errors\.ts$/,
  /^install\/(assets|install-section|launcher)\.ts$/,
  // The seam's interfaces, HostError and hasCode: no I/O of its own.
  /^host\/host\.ts$/,
];
const RULES = {
  isPure: (file: string) => PURE.some((pattern) => pattern.test(file)) && (!file.startsWith('host/') || file === 'host/host.ts'),
  // Packages and assets a pure file may import at run time: validation, and the unit texts esbuild inlines.
  pureModules: /^zod(\/mini)?$|\.(service|rules)$/,
  ioModules: /^(node:)?(fs|fs\/promises|child_process|http|https|net|dgram)$|^execa$/,
};

const all = sourceFiles(SRC);

describe('architecture', () => {
  it('has pure files to check', () => {
    expect(all.filter(RULES.isPure).length).toBeGreaterThan(20);
  });

  it('pure files reach no I/O through any import, read no clock, randomness or process state; only host/ does I/O; no folder cycles', () => {
    expect(checkArchitecture(SRC, RULES)).toEqual([]);
  });

  // host.exec(file, args) is the one door; a bare exec( would be child_process's string form.
  it('never uses a shell', () => {
    for (const file of all) {
      const text = readFileSync(join(SRC, file), 'utf8');
      expect({ file, hits: text.match(/shell:\s*true|['"]sh['"],\s*\[?['"]-c|execSync\(|(?<![.\w])exec\(\s*['"`]|execa(Command|Sync)\b|execa`/g) ?? [] }).toEqual({ file, hits: [] });
    }
  });
});
