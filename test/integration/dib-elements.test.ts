// dib-lint's rules (diskimage-builder bin/dib-lint), and ours (STYLE §3.7), on every file of dib-elements/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ELEMENTS = join(__dirname, '../../dib-elements');
const PHASES = ['root.d', 'extra-data.d', 'pre-install.d', 'install.d', 'post-install.d', 'block-device.d', 'finalise.d', 'cleanup.d'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const files = filesUnder(ELEMENTS).map((path) => relative(ELEMENTS, path));
const text = (file: string) => readFileSync(join(ELEMENTS, file), 'utf8');
const executable = (file: string) => (statSync(join(ELEMENTS, file)).mode & 0o111) !== 0;
const scripts = files.filter((file) => text(file).startsWith('#!'));
const elements = readdirSync(ELEMENTS);

/** Every dib-lint complaint about one file (the same checks, same wording where it has one). */
function lint(file: string, body = text(file), isExecutable = executable(file)): string[] {
  const lines = body.split('\n');
  const first = lines[0] ?? '';
  const errors: string[] = [];
  if (first.startsWith('#!')) {
    if (!isExecutable) errors.push('is not executable');
    if (lines.some((line) => /^( {4})* {1,3}[^ ]/.test(line))) errors.push('should use 4 spaces indent');
  }
  if (/^#!.*bash/.test(first) && first !== '#!/bin/bash') errors.push('only use #!/bin/bash for scripts');
  if (first.startsWith('#!/bin/bash')) {
    if (!lines.some((line) => /^set -[^ ]*e/.test(line))) errors.push('is not set -e');
    if (!lines.some((line) => /^set -[^ ]*u/.test(line))) errors.push('is not set -u');
    if (!lines.some((line) => /^set -o pipefail/.test(line))) errors.push('is not set -o pipefail');
    if (!body.includes('DIB_DEBUG_TRACE')) errors.push('does not follow DIB_DEBUG_TRACE');
  }
  if (file.includes('environment.d/')) {
    if (body.includes('set -x')) errors.push('Environment file should not set tracing');
    if (isExecutable) errors.push('Environment file should not be marked as executable');
  }
  if (/export .*\$\(/.test(body)) errors.push('Split export and assignments');
  if (/^ *\t/m.test(body)) errors.push('contains tab characters');
  if (!body.endsWith('\n')) errors.push('No newline at end of file');
  if (file.endsWith('.md')) errors.push('.md docs found');
  if (file.endsWith('/element-deps')) {
    const deps = lines.filter((line) => line && !line.startsWith('#'));
    if (deps.join('\n') !== [...deps].sort().join('\n')) errors.push('is not sorted alphabetically');
  }
  // Ours (STYLE §2): no swallowed errors; only executables in phase directories.
  if (/\|\|\s*true\b/.test(body)) errors.push('swallows errors with || true');
  if (PHASES.some((phase) => file.includes(`/${phase}/`)) && !(first.startsWith('#!') && isExecutable)) errors.push('is in a phase directory but is not an executable script');
  return errors;
}

describe('dib-elements', () => {
  it('has the three elements with their scripts', () => {
    expect(elements.sort()).toEqual(['dpm-guest-tools', 'guest-boot-agent', 'mellanox-sriov']);
    expect(scripts.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s passes dib-lint', (file) => {
    expect(lint(file)).toEqual([]);
  });

  it.each(elements)('%s has a README.rst and a sorted element-deps', (element) => {
    expect(files).toContain(`${element}/README.rst`);
    expect(files).toContain(`${element}/element-deps`);
  });

  it('documents every DIB_GUEST_BOOT_AGENT_* variable the scripts use as a field list in the README', () => {
    const used = new Set(files.flatMap((file) => text(file).match(/DIB_GUEST_BOOT_AGENT_[A-Z_]+/g) ?? []));
    const readme = text('guest-boot-agent/README.rst');
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(readme).toMatch(new RegExp(`^${name}\\n  :Required:`, 'm'));
  });

  it('the config elements depend on guest-boot-agent and the service element installs nodejs', () => {
    expect(text('dpm-guest-tools/element-deps').trim()).toBe('guest-boot-agent');
    expect(text('mellanox-sriov/element-deps').trim()).toBe('guest-boot-agent');
    expect(text('guest-boot-agent/package-installs.yaml')).toMatch(/^nodejs:$/m);
  });

  // The lint itself must be able to fail: files breaking each rule.
  it('catches what dib-lint catches', () => {
    const bad = ['#!/usr/bin/env bash', 'set -e', '  echo two-space indent', 'export X=$(date)', 'cp a b || true'].join('\n');
    expect(lint('x/install.d/10-x', bad, false)).toEqual([
      'is not executable',
      'should use 4 spaces indent',
      'only use #!/bin/bash for scripts',
      'Split export and assignments',
      'No newline at end of file',
      'swallows errors with || true',
      'is in a phase directory but is not an executable script',
    ]);
    expect(lint('x/install.d/10-x', '#!/bin/bash\nset -e\n', true)).toEqual(['is not set -u', 'is not set -o pipefail', 'does not follow DIB_DEBUG_TRACE']);
    expect(lint('x/environment.d/10-x', 'set -x\n', true)).toEqual(['Environment file should not set tracing', 'Environment file should not be marked as executable']);
    expect(lint('x/element-deps', 'b\na\n', false)).toEqual(['is not sorted alphabetically']);
  });
});
