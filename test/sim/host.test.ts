// The generic parts of the simulator: the vfs behaves like sysfs (errno, physical link resolution), the sim host
// keeps the Host contract (files, exec, http), and faults and latency can be injected per path.
import { describe, expect, it } from 'vitest';
import { realClock } from '../../src/host/clock.js';
import { osaTriple, preGrouped, preOnline, simQeth } from './scenario.js';
import { createSimHost } from './sim-host.js';
import { Vfs } from './vfs.js';

const exec = { timeoutMs: 1000 };

describe('vfs', () => {
  const tree = () => {
    const vfs = new Vfs(realClock);
    vfs.attr('/sys/devices/css0/0.0.0000/chpids', '11 00\n');
    vfs.attr('/sys/devices/css0/0.0.0000/0.0.0001/online', { read: () => '0\n' });
    vfs.attr('/sys/devices/css0/0.0.0000/0.0.0001/ungroup', { write: () => undefined });
    vfs.symlink('/sys/bus/ccw/devices/0.0.0001', '../../../devices/css0/0.0.0000/0.0.0001');
    vfs.symlink('/sys/loop', '/sys/loop');
    return createSimHost(vfs, []);
  };

  it('resolves links component by component, physically: <link>/.. is the target\'s parent', async () => {
    const host = tree();
    expect(await host.sysfs.read('/sys/bus/ccw/devices/0.0.0001/../chpids')).toBe('11 00');
    expect(await host.sysfs.list('/sys/bus/ccw/devices/0.0.0001')).toEqual(['online', 'ungroup']);
    expect(await host.sysfs.readlink('/sys/bus/ccw/devices/0.0.0001')).toBe('../../../devices/css0/0.0.0000/0.0.0001');
  });

  it.each([
    ['a missing file', 'read', '/sys/nope', 'ENOENT'],
    ['a path through a file', 'read', '/sys/devices/css0/0.0.0000/chpids/x', 'ENOTDIR'],
    ['a directory', 'read', '/sys/devices', 'EISDIR'],
    ['a write-only attribute', 'read', '/sys/bus/ccw/devices/0.0.0001/ungroup', 'EACCES'],
    ['a read-only attribute', 'write', '/sys/bus/ccw/devices/0.0.0001/online', 'EACCES'],
    ['a missing attribute (no O_CREAT)', 'write', '/sys/bus/ccw/devices/0.0.0001/new', 'ENOENT'],
    ['a link loop', 'read', '/sys/loop/x', 'ELOOP'],
    ['readlink of a file', 'readlink', '/sys/devices/css0/0.0.0000/chpids', 'EINVAL'],
    ['list of a file', 'list', '/sys/devices/css0/0.0.0000/chpids', 'ENOTDIR'],
  ] as const)('rejects %s like the kernel', async (_case, op, path, code) => {
    const host = tree();
    const call = op === 'write' ? host.sysfs.write(path, '1') : host.sysfs[op](path);
    await expect(call).rejects.toMatchObject({ name: 'HostError', code, path });
  });

  it('says a path exists only when it resolves', async () => {
    const host = tree();
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.0001/online')).toBe(true);
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.0002')).toBe(false);
    expect(await host.sysfs.exists('/sys/devices/css0/0.0.0000/chpids/x')).toBe(false);
  });
});

describe('fault injection and the write journal', () => {
  it('fails a write `times` times by the path the agent uses or the physical one, and journals every attempt', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true });
    kernel.inject({ path: '/sys/devices/qeth/0.0.0001/online', op: 'write', errno: 'EIO', times: 1 });
    await expect(host.sysfs.write('/sys/bus/ccwgroup/devices/0.0.0001/online', '1')).rejects.toMatchObject({ code: 'EIO' });
    await host.sysfs.write('/sys/bus/ccwgroup/devices/0.0.0001/online', '1');
    expect(kernel.writes).toEqual([
      { path: '/sys/bus/ccwgroup/devices/0.0.0001/online', value: '1', errno: 'EIO' },
      { path: '/sys/bus/ccwgroup/devices/0.0.0001/online', value: '1' },
    ]);
    expect(host.writes).toBe(kernel.writes);
  });

  it('fails reads, and slows one path down', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001')], moduleLoaded: true });
    kernel.inject({ path: '/proc/cio_ignore', op: 'read', errno: 'EIO' });
    kernel.latency({ path: '/sys/bus/ccw/devices/0.0.0001/cutype', op: 'read', ms: 60 });
    await expect(host.sysfs.read('/proc/cio_ignore')).rejects.toMatchObject({ code: 'EIO' });
    const started = performance.now();
    expect(await host.sysfs.read('/sys/bus/ccw/devices/0.0.0001/cutype')).toBe('1731/01');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('sim host', () => {
  it('keeps ordinary files in memory: /proc/cmdline given, state written atomically and read back', async () => {
    const { host } = simQeth({ devices: [], cmdline: 'root=/dev/dasda1 0001,1;' });
    expect(await host.files.read('/proc/cmdline')).toBe('root=/dev/dasda1 0001,1;\n');
    expect(await host.files.read('/run/guest-boot-agent/qeth.json')).toBeUndefined();
    await host.files.writeAtomic('/run/guest-boot-agent/qeth.json', '{"exitCode":0}');
    expect(await host.files.read('/run/guest-boot-agent/qeth.json')).toBe('{"exitCode":0}');
    expect(host.volume.readdirSync('/run/guest-boot-agent')).toEqual(['qeth.json']);
    const dir = await host.files.makeTempDir('/run/guest-boot-agent', 'mnt-');
    expect(dir).toMatch(/^\/run\/guest-boot-agent\/mnt-\w{6}$/);
    await host.files.removeDir(dir);
    await expect(host.files.removeDir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('runs only the programs it models (ENOENT otherwise), records them, and has no network', async () => {
    const { host } = simQeth({ devices: [] });
    await expect(host.exec('udevadm', ['settle'], exec)).rejects.toMatchObject({ name: 'HostError', code: 'ENOENT' });
    await expect(host.http.get('http://169.254.169.254/', { signal: new AbortController().signal, maxBytes: 1 })).rejects.toMatchObject({ code: 'ENETUNREACH' });
    expect(host.execs).toEqual([['udevadm', 'settle']]);
  });

  it('times a slow program out (ETIMEDOUT); injects a failed run (exec) or one that cannot start (spawn)', async () => {
    const { host } = simQeth({ devices: [], modprobeLatencyMs: 200 });
    await expect(host.exec('modprobe', ['qeth'], { timeoutMs: 20 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    host.inject({ path: 'ip', op: 'exec', errno: 'EBUSY', times: 1 });
    expect(await host.exec('ip', ['link', 'set', 'dev', 'lo', 'up'], exec)).toEqual({ exitCode: 2, stdout: '', stderr: 'RTNETLINK answers: Device or resource busy\n' });
    host.inject({ path: 'ip', op: 'spawn', errno: 'EACCES' });
    await expect(host.exec('/usr/sbin/ip', ['link', 'show'], exec)).rejects.toMatchObject({ code: 'EACCES' });
  });

  it('answers `ip link show` like iproute2', async () => {
    const { host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preOnline({ mac: '0a:00:00:00:00:01' }) })], moduleLoaded: true });
    expect((await host.exec('ip', ['link', 'show', 'dev', 'enc1'], exec)).stdout).toBe(
      '2: enc1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 0a:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n',
    );
    expect((await host.exec('ip', ['-o', 'link', 'show', 'lo'], exec)).stdout).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP> .*\\ {4}link\/loopback/);
    expect(await host.exec('ip', ['link', 'show', 'dev', 'eth9'], exec)).toMatchObject({ exitCode: 1, stderr: 'Device "eth9" does not exist.\n' });
    expect(await host.exec('ip', ['link', 'set', 'dev', 'enc1', 'address', 'zz'], exec)).toMatchObject({ exitCode: 1, stderr: '"zz" is invalid lladdr.\n' });
  });
});
