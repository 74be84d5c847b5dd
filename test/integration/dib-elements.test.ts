// dib-lint's rules (diskimage-builder bin/dib-lint), and ours (STYLE §3.7), on every file of dib-elements/; and
// the guest-boot-agent element's Node choice for the families the image test cannot build (RHEL, SUSE, Ubuntu):
// its phase scripts run for real with bash, a fake dnf on PATH recording its arguments, and its pkg-map and
// package-installs.yaml read the way DIB reads them.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageInstalls, pkgMap } from '../image/dib-elements.js';

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
    const used = new Set(files.flatMap((file) => text(file).match(/DIB_GUEST_BOOT_AGENT_[A-Z0-9_]+/g) ?? []));
    const readme = text('guest-boot-agent/README.rst');
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(readme).toMatch(new RegExp(`^${name}\\n  :Required:`, 'm'));
  });

  it('the config elements depend on guest-boot-agent and the service element installs nodejs', () => {
    expect(text('dpm-guest-tools/element-deps').trim()).toBe('guest-boot-agent');
    expect(text('mellanox-sriov/element-deps').trim()).toBe('guest-boot-agent');
    expect(text('guest-boot-agent/package-installs.yaml')).toMatch(/^nodejs:\n {2}when: DIB_GUEST_BOOT_AGENT_NODE_TARBALL =$/m);
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

// --- The Node choice per distribution family ------------------------------------------------------------------

const AGENT = join(ELEMENTS, 'guest-boot-agent');
const scratch = mkdtempSync(join(tmpdir(), 'gba-dib-node-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The element's environment.d defaults, then one phase script, run by bash as dib-run-parts would. */
function runScript(script: string, env: Record<string, string>, fakeBin?: string) {
  const environment = join(AGENT, 'environment.d/10-guest-boot-agent');
  const path = `${fakeBin ? `${fakeBin}:` : ''}/usr/sbin:/usr/bin:/sbin:/bin`;
  // bash sources the environment file (its defaults) and execs the script: the file names are arguments, not code.
  // --norc: bash run from a non-terminal may otherwise read the builder's ~/.bashrc.
  const ran = spawnSync('/bin/bash', ['--norc', '--noprofile', '-c', 'set -eu; source "$1"; exec "$2"', 'run', environment, join(AGENT, script)], { env: { PATH: path, ...env }, encoding: 'utf8' });
  return { code: ran.status, stderr: ran.stderr, stdout: ran.stdout };
}

/** A directory with a `dnf` that appends its arguments to a log and succeeds. */
function fakeDnf(): { bin: string; calls: () => string[] } {
  const dir = mkdtempSync(join(scratch, 'bin-'));
  const log = join(dir, 'calls.log');
  writeFileSync(join(dir, 'dnf'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n`);
  chmodSync(join(dir, 'dnf'), 0o755);
  return { bin: dir, calls: () => (statSync(log, { throwIfNoEntry: false }) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []) };
}

describe('pre-install.d/50-guest-boot-agent-nodejs-stream (fake dnf on PATH)', () => {
  const stream = 'pre-install.d/50-guest-boot-agent-nodejs-stream';

  it.each([
    ['rhel', '8'],
    ['rhel', '9'],
    ['centos', '9-stream'],
    ['centos', '8-stream'],
    ['rocky', '9'],
    ['almalinux', '8'],
  ])('%s %s: resets the nodejs module and enables nodejs:20 before package-installs', (distro, release) => {
    const dnf = fakeDnf();
    const ran = runScript(stream, { DISTRO_NAME: distro, DIB_RELEASE: release }, dnf.bin);
    expect({ code: ran.code, stderr: ran.stderr, calls: dnf.calls() }).toEqual({ code: 0, stderr: '', calls: ['-y module reset nodejs', '-y module enable nodejs:20'] });
  });

  it.each([
    ['rhel 10 (no modules; its nodejs is 22)', { DISTRO_NAME: 'rhel', DIB_RELEASE: '10' }],
    ['fedora', { DISTRO_NAME: 'fedora', DIB_RELEASE: '41' }],
    ['debian', { DISTRO_NAME: 'debian', DIB_RELEASE: 'bookworm' }],
    ['opensuse', { DISTRO_NAME: 'opensuse', DIB_RELEASE: '15.6' }],
    ['a pinned tarball on rhel 9', { DISTRO_NAME: 'rhel', DIB_RELEASE: '9', DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '/srv/node-v22.23.5-linux-s390x.tar.xz' }],
    ["the operator's own DIB_DNF_MODULE_STREAMS with nodejs:22 on rhel 9", { DISTRO_NAME: 'rhel', DIB_RELEASE: '9', DIB_DNF_MODULE_STREAMS: 'container-tools:3.0 nodejs:22' }],
  ])('leaves dnf alone for %s', (_name, env) => {
    const dnf = fakeDnf();
    const ran = runScript(stream, env, dnf.bin);
    expect({ code: ran.code, stderr: ran.stderr, calls: dnf.calls() }).toEqual({ code: 0, stderr: '', calls: [] });
  });

  // The fake must be able to show a failure: dnf failing stops the build.
  it('stops the build when dnf fails', () => {
    const dnf = fakeDnf();
    writeFileSync(join(dnf.bin, 'dnf'), '#!/bin/sh\necho "No such module: nodejs" >&2\nexit 1\n');
    const ran = runScript(stream, { DISTRO_NAME: 'rocky', DIB_RELEASE: '9' }, dnf.bin);
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 1, stderr: 'No such module: nodejs\n' });
  });
});

describe("pkg-map and package-installs.yaml: the package DIB's install-packages is given", () => {
  const wanted = (distro: string, release: string, tarball = '') => pkgMap(AGENT, distro, release, packageInstalls(AGENT, { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: tarball }));

  it.each([
    ['debian', 'bookworm', ['nodejs']],
    ['ubuntu', 'noble', ['nodejs']],
    ['rhel', '9', ['nodejs']],
    ['centos', '9-stream', ['nodejs']],
    ['rocky', '8', ['nodejs']],
    ['opensuse', '15.6', ['nodejs20']],
    ['sles', '15.5', ['nodejs20']],
  ])('%s %s installs %j', (distro, release, packages) => {
    expect(wanted(distro, release)).toEqual(packages);
  });

  it('installs no distribution Node when a tarball is pinned', () => {
    expect(wanted('opensuse', '15.4', '/srv/node-v22.23.5-linux-s390x.tar.xz')).toEqual([]);
  });

  it('refuses to read an unset when: variable, as DIB does', () => {
    expect(() => packageInstalls(AGENT, {})).toThrow(/DIB_GUEST_BOOT_AGENT_NODE_TARBALL is not set/);
  });
});

describe('extra-data.d/40-guest-boot-agent-node: the early check, per distribution release', () => {
  const early = 'extra-data.d/40-guest-boot-agent-node';
  const hooks = () => {
    const dir = mkdtempSync(join(scratch, 'hooks-'));
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it.each([
    ['ubuntu', 'focal'],
    ['ubuntu', 'jammy'],
    ['debian', 'bullseye'],
    ['opensuse', '15.4'],
    ['sles', '15.4'],
  ])('%s %s has no Node >= 18.19: one line naming DIB_GUEST_BOOT_AGENT_NODE_TARBALL', (distro, release) => {
    const ran = runScript(early, { DISTRO_NAME: distro, DIB_RELEASE: release, TMP_HOOKS_PATH: hooks() });
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({
      code: 1,
      stderr: `guest-boot-agent: ${distro} ${release} has no Node.js >= 18.19: set DIB_GUEST_BOOT_AGENT_NODE_TARBALL to an official node-v<version>-linux-<arch>.tar.xz (>= 18.19) and DIB_GUEST_BOOT_AGENT_NODE_SHA256 to its SHA-256\n`,
    });
  });

  it.each([
    ['ubuntu', 'noble'],
    ['debian', 'bookworm'],
    ['debian', 'trixie'],
    ['rhel', '9'],
    ['centos', '9-stream'],
    ['opensuse', '15.5'],
    ['opensuse', '15.6'],
  ])('%s %s goes on with its own Node', (distro, release) => {
    expect(runScript(early, { DISTRO_NAME: distro, DIB_RELEASE: release, TMP_HOOKS_PATH: hooks() })).toEqual({ code: 0, stderr: '', stdout: '' });
  });

  it('refuses RHEL-family 7 even with a tarball: the official builds need glibc 2.28', () => {
    const ran = runScript(early, { DISTRO_NAME: 'centos', DIB_RELEASE: '7', TMP_HOOKS_PATH: hooks(), DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '/x/node-v22.23.5-linux-x64.tar.xz', DIB_GUEST_BOOT_AGENT_NODE_SHA256: 'a'.repeat(64) });
    expect(ran).toMatchObject({ code: 1, stderr: expect.stringMatching(/^guest-boot-agent: centos 7 has no Node\.js >= 18\.19, and the official builds need glibc >= 2\.28/) });
  });

  it.each([
    ['a SHA-256 without a tarball', { DIB_GUEST_BOOT_AGENT_NODE_SHA256: 'a'.repeat(64) }, 'DIB_GUEST_BOOT_AGENT_NODE_SHA256 is set but DIB_GUEST_BOOT_AGENT_NODE_TARBALL is not'],
    ['a SHA-256 that is not one', { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '/x/node-v22.23.5-linux-x64.tar.xz', DIB_GUEST_BOOT_AGENT_NODE_SHA256: 'ABC' }, 'DIB_GUEST_BOOT_AGENT_NODE_SHA256=ABC is not a SHA-256'],
    ['a file that is not an official build', { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '/x/node.tar.gz', DIB_GUEST_BOOT_AGENT_NODE_SHA256: 'a'.repeat(64) }, 'is not an official node-v<version>-linux-<arch>.tar.xz'],
    ['Node 16', { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '/x/node-v16.20.2-linux-x64.tar.xz', DIB_GUEST_BOOT_AGENT_NODE_SHA256: 'a'.repeat(64) }, 'is Node 16.20: the agent needs >= 18.19'],
    ['Node 18.18', { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '/x/node-v18.18.2-linux-x64.tar.xz', DIB_GUEST_BOOT_AGENT_NODE_SHA256: 'a'.repeat(64) }, 'is Node 18.18: the agent needs >= 18.19'],
    ['the wrong architecture', { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '/x/node-v22.23.5-linux-x64.tar.xz', DIB_GUEST_BOOT_AGENT_NODE_SHA256: 'a'.repeat(64), ARCH: 's390x' }, 'is for linux-x64, but the image is s390x: take the linux-s390x build'],
    ['a missing file', { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '/nonexistent/node-v22.23.5-linux-x64.tar.xz', DIB_GUEST_BOOT_AGENT_NODE_SHA256: 'a'.repeat(64), ARCH: 'amd64' }, 'is not a file'],
  ])('refuses %s with one line', (_name, env, message) => {
    const ran = runScript(early, { DISTRO_NAME: 'ubuntu', DIB_RELEASE: 'jammy', TMP_HOOKS_PATH: hooks(), ...env });
    expect(ran.code).toBe(1);
    expect(ran.stderr.split('\n')).toEqual([expect.stringContaining(message), '']);
  });
});
