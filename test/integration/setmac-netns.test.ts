// setmac against a real kernel interface: a veth named like a qeth interface in its own network namespace.
// `ip netns exec` mounts that namespace's own /sys, so the agent reads and changes the real device.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBundle } from '../helpers/run-bundle.js';

const NS = `gba-test-${randomBytes(3).toString('hex')}`;
const IP = '/usr/sbin/ip';
const ip = (...args: string[]) => spawnSync(IP, args, { encoding: 'utf8' });

function netnsAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  const probe = ip('netns', 'add', NS);
  if (probe.error || probe.status !== 0) return `ip netns add failed: ${probe.error?.message ?? probe.stderr.trim()}`;
  const veth = ip('-n', NS, 'link', 'add', 'enc1', 'type', 'veth', 'peer', 'name', 'peer1');
  if (veth.status !== 0) return `veth creation failed: ${veth.stderr.trim()}`;
  return undefined;
}

const unavailable = netnsAvailable();
if (unavailable) {
  // Loud on purpose: a silently skipped real-kernel test would hide a regression.
  console.warn(`\n!!! SKIPPING the setmac network-namespace tests: ${unavailable}. They need root and ip netns.\n`);
}

const macOf = (ifname: string) => /link\/ether ([0-9a-f:]{17})/.exec(ip('-n', NS, 'link', 'show', 'dev', ifname).stdout)?.[1];
const setmac = (device: string, cmdline: string, ...extra: string[]) =>
  runBundle(['setmac', device, '--cmdline', cmdline, ...extra], { prefix: [IP, 'netns', 'exec', NS], env: { JOURNAL_STREAM: '8:1' } });
const DEVPATH = '/devices/qeth/0.0.0001/net/enc1';

describe.skipIf(unavailable !== undefined)('setmac on a real interface in a network namespace', () => {
  beforeAll(() => {
    expect(ip('-n', NS, 'link', 'set', 'dev', 'enc1', 'address', '02:00:00:00:00:01').status).toBe(0);
  });
  afterAll(() => {
    ip('netns', 'del', NS);
    rmSync('/run/guest-boot-agent/setmac@enc1.json', { force: true });
  });

  it('sets the MAC from the cmdline, verifies it, and records the run', async () => {
    const run = await setmac(DEVPATH, 'root=/dev/dasda1 0001,1,0a0000000011; console=ttysclp0');
    expect(run.stderr).toContain('<6>enc1: MAC set to 0a:00:00:00:00:11 and verified');
    expect(run.code).toBe(0);
    expect(macOf('enc1')).toBe('0a:00:00:00:00:11');
    const record = JSON.parse(readFileSync('/run/guest-boot-agent/setmac@enc1.json', 'utf8'));
    expect(record).toMatchObject({ command: 'setmac', device: { busId: '0.0.0001', ifname: 'enc1' }, results: [{ ok: true, changed: true }] });
  });

  it('changes nothing on a second run', async () => {
    const run = await setmac(DEVPATH, '0001,1,0a0000000011;', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('<6>enc1: already has MAC 0a:00:00:00:00:11; nothing to do');
    expect(JSON.parse(run.stdout)).toMatchObject({ actions: [], results: [{ target: '0.0.0001', ok: true, changed: false }] });
    expect(macOf('enc1')).toBe('0a:00:00:00:00:11');
  });

  it('refuses a multicast MAC: exit 1, the MAC stays as it was', async () => {
    const run = await setmac(DEVPATH, '0001,1,010000000022;');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/<3>cmdline: rejected "0001,1,010000000022".*multicast/);
    expect(macOf('enc1')).toBe('0a:00:00:00:00:11');
  });

  it('exits 0 with a log line when the cmdline has no MAC for the device', async () => {
    const run = await setmac(DEVPATH, '0001,1; 0004,0,0a0000000044;');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('<6>enc1: no MAC for 0.0.0001 on the kernel command line; nothing to do');
    expect(macOf('enc1')).toBe('0a:00:00:00:00:11');
  });

  it('prints the plan with --dry-run and changes nothing', async () => {
    const run = await setmac(DEVPATH, '0001,1,0a0000000099;', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('run ip link set dev enc1 address 0a:00:00:00:00:99');
    expect(run.stdout).toContain('verify /sys/class/net/enc1/address = "0a:00:00:00:00:99"');
    expect(macOf('enc1')).toBe('0a:00:00:00:00:11');
  });

  it.each([
    ['its name', 'peer1'],
    ['its devpath', '/devices/virtual/net/peer1'],
  ])('a real non-qeth interface given by %s: exit 0, says so, no bus id or devpath advice, nothing changed', async (_name, device) => {
    const before = macOf('peer1');
    const run = await setmac(device, '0001,1,0a0000000011;', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^<4>peer1: not a qeth interface \(.*\); setmac only sets the MACs of qeth interfaces named on the kernel command line: nothing to do$/m);
    expect(run.stderr).not.toMatch(/bus id or devpath|not an interface name/);
    expect(JSON.parse(run.stdout)).toMatchObject({ command: 'setmac', device: { busId: null, ifname: 'peer1' }, exitCode: 0 });
    expect(macOf('peer1')).toBe(before);
  });

  it('an interface that does not exist: exit 1, not a usage error', async () => {
    const run = await setmac('enc9', '0001,1,0a0000000011;');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('<3>enc9: no such interface (/sys/class/net/enc9 does not exist)');
  });

  it.each(['../../etc/passwd', '/devices/qeth/0.0.0001/net/..', 'enc1;reboot'])('exits 2 on the hostile argument %s', async (argument) => {
    const run = await setmac(argument, '0001,1,0a0000000011;');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not an interface name, a bus id (0.0.xxxx) or a /devices/…/net/<ifname> path');
    expect(macOf('enc1')).toBe('0a:00:00:00:00:11');
  });
});
