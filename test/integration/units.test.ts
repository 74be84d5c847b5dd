// The shipped units and udev rule judged by the real tools: systemd-analyze verify (zero warnings) inside a root
// that `install` filled, systemd-analyze security --offline (≤ 3.5 each), and the rule's syntax.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUdevRules } from '../helpers/udev-rule-syntax.js';
import { runBundle } from '../helpers/run-bundle.js';

const REPO = join(__dirname, '../..');
const RULE = readFileSync(join(REPO, 'udev/81-guest-boot-agent.rules'), 'utf8');
/** The units as verify loads them: a template needs an instance. */
const UNITS = ['guest-boot-agent-qeth.service', 'guest-boot-agent-setmac@enc1.service', 'guest-boot-agent-sriov.service'];
const MAX_EXPOSURE = 3.5;
/** Where the build host's systemd keeps its units: targets and slices the units order against must exist. */
const HOST_UNITS = '/usr/lib/systemd/system';

const run = (file: string, args: string[]) => {
  const result = spawnSync(file, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${file} cannot run (${result.error.message}): .ci/run installs Debian's systemd and udev`);
  return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
};
const verify = (root: string, unit: string) => run('systemd-analyze', ['verify', `--root=${root}`, '--man=no', unit]);

let root = '';
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gba-units-'));
  const installed = await runBundle(['--root', root, 'install']);
  expect(installed.code, installed.stderr).toBe(0);
  for (const name of readdirSync(HOST_UNITS).filter((file) => /\.(target|slice)$/.test(file))) {
    cpSync(join(HOST_UNITS, name), join(root, 'usr/lib/systemd/system', name), { verbatimSymlinks: true });
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('systemd-analyze verify', () => {
  it.each(UNITS)('%s: no warning at all', (unit) => {
    expect(verify(root, unit)).toEqual({ code: 0, output: '' });
  });

  // The harness must be able to fail: a misspelt directive is only a warning (exit 0), and must still count.
  it('reports a misspelt directive, and an ExecStart that is not installed', () => {
    const text = readFileSync(join(root, 'usr/lib/systemd/system/guest-boot-agent-sriov.service'), 'utf8');
    writeFileSync(join(root, 'usr/lib/systemd/system/gba-broken.service'), text.replace('LockPersonality=', 'LockPersonalty=').replace('/usr/bin/guest-boot-agent', '/usr/bin/gba-missing'));
    const result = verify(root, 'gba-broken.service');
    expect(result.output).toContain("Unknown key 'LockPersonalty'");
    expect(result.output).toContain('/usr/bin/gba-missing');
  });
});

describe('systemd-analyze security --offline', () => {
  it.each(UNITS)(`%s: exposure ≤ ${MAX_EXPOSURE}`, (unit) => {
    const result = run('systemd-analyze', ['security', '--offline=yes', `--root=${root}`, `--threshold=${MAX_EXPOSURE * 10}`, '--no-pager', unit]);
    const exposure = Number(/Overall exposure level for \S+: (\d+\.\d)/.exec(result.output)?.[1]);
    console.log(`${unit}: exposure ${exposure}`);
    expect(exposure).toBeGreaterThan(0);
    expect(exposure).toBeLessThanOrEqual(MAX_EXPOSURE);
    expect(result.code).toBe(0);
  });

  it('fails a unit over the threshold (the gate works)', () => {
    writeFileSync(join(root, 'usr/lib/systemd/system/gba-bare.service'), '[Service]\nType=oneshot\nExecStart=/usr/bin/guest-boot-agent qeth\n');
    const result = run('systemd-analyze', ['security', '--offline=yes', `--root=${root}`, `--threshold=${MAX_EXPOSURE * 10}`, '--no-pager', 'gba-bare.service']);
    expect(result.code).not.toBe(0);
  });
});

describe('udev/81-guest-boot-agent.rules', () => {
  const udevadmVerify = spawnSync('udevadm', ['verify', '--help'], { encoding: 'utf8' });
  const hasVerify = !udevadmVerify.error && udevadmVerify.status === 0;
  if (!hasVerify) console.warn('udevadm verify is not available (systemd < 253, e.g. Debian 12): the strict syntax check below stands in; the image test parses the rule with the real udev in a Debian root.');

  it.skipIf(!hasVerify)('passes udevadm verify', () => {
    expect(run('udevadm', ['verify', '--no-summary', join(REPO, 'udev/81-guest-boot-agent.rules')])).toMatchObject({ code: 0 });
  });

  it('is one rule: on add or move (the rename) of a qeth net device, tag it and want setmac@$name; never RUN', () => {
    const rules = parseUdevRules(RULE);
    expect(rules).toEqual([
      [
        { key: 'ACTION', attribute: undefined, op: '==', value: 'add|move' },
        { key: 'SUBSYSTEM', attribute: undefined, op: '==', value: 'net' },
        { key: 'DRIVERS', attribute: undefined, op: '==', value: 'qeth' },
        { key: 'TAG', attribute: undefined, op: '+=', value: 'systemd' },
        { key: 'ENV', attribute: 'SYSTEMD_WANTS', op: '+=', value: 'guest-boot-agent-setmac@$name.service' },
      ],
    ]);
  });

  it.each([
    ['a missing comma', 'ACTION=="add" SUBSYSTEM=="net", TAG+="systemd"', 'missing comma'],
    ['an assignment to a match-only key', 'ACTION=="add", DRIVERS="qeth", TAG+="systemd"', 'DRIVERS cannot be assigned'],
    ['ENV without a name', 'ACTION=="add", ENV+="x"', 'ENV needs {attribute}'],
    ['an unknown key', 'ACTION=="add", WANTS+="x"', 'unknown key WANTS'],
    ['an unterminated quote', 'ACTION=="add, TAG+="systemd"', 'unterminated quote'],
    ['a rule that assigns nothing', 'ACTION=="add", SUBSYSTEM=="net"', 'no assignment'],
  ])('the syntax check rejects %s', (_name, line, message) => {
    expect(() => parseUdevRules(line)).toThrow(message);
  });
});
