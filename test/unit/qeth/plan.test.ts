// planQeth is pure: snapshots in, actions out. The kernel-facing behaviour is tested on the simulator.
import { describe, expect, it } from 'vitest';
import type { NicEntry } from '../../../src/cmdline/nic-entries.js';
import type { Action } from '../../../src/plan/action.js';
import { parseCioIgnore } from '../../../src/qeth/cio-ignore.js';
import { planQeth, planRehide } from '../../../src/qeth/plan.js';
import type { CcwState, GroupState, QethSnapshot } from '../../../src/qeth/snapshot.js';
import type { BusId } from '../../../src/values/bus-id.js';
import type { Mac } from '../../../src/values/mac.js';

const entry = (devno: string, port: 0 | 1, mac: string | null = null): NicEntry => ({ devno, busId: `0.0.${devno}` as BusId, port, mac: mac as Mac | null });
const ccw = (devno: string, extra: Partial<CcwState> = {}): CcwState => ({ busId: `0.0.${devno}` as BusId, cutype: '1731/01', online: false, groupDevice: null, boundToQeth: true, chpid: '11', ...extra });
const group = (devno: string, extra: Partial<GroupState> = {}): GroupState => ({ busId: `0.0.${devno}` as BusId, online: false, portno: 0, layer2: -1, netdevs: [], ...extra });

function snapshot(devices: CcwState[], extra: Partial<QethSnapshot> = {}): QethSnapshot {
  return { driverLoaded: true, cioIgnore: [], ccw: Object.fromEntries(devices.map((d) => [d.busId, d])), groups: {}, ccwComplete: false, ...extra };
}
const summary = (actions: Action[]) => actions.map((a) => `${a.op} ${a.path}${'value' in a ? ` ${a.value}` : ''}`);
const options = { force: false, afterPrepare: false };

describe('planQeth', () => {
  it('groups, configures, onlines and sets the MAC of a fresh consecutive triple', () => {
    const plan = planQeth([entry('0001', 1, '0a:00:00:00:00:11')], snapshot([ccw('0001'), ccw('0002'), ccw('0003')]), options);
    expect(plan.prepare).toEqual([]);
    expect(plan.failures).toEqual([]);
    expect(summary(plan.devices[0]!.actions)).toEqual([
      'write /sys/bus/ccwgroup/drivers/qeth/group 0.0.0001,0.0.0002,0.0.0003',
      'wait /sys/bus/ccwgroup/devices/0.0.0001',
      'write /sys/bus/ccwgroup/devices/0.0.0001/layer2 1',
      'write /sys/bus/ccwgroup/devices/0.0.0001/portno 1',
      'write /sys/bus/ccwgroup/devices/0.0.0001/online 1',
      'resolve /sys/bus/ccwgroup/devices/0.0.0001/net',
      'exec ip',
      'verify /sys/class/net/{netdev}/address',
    ]);
    // The MAC is plain steps: the name settles, ip (an argument array) unless already set, retry on a rename, read-back.
    expect(plan.devices[0]!.actions.slice(-3)).toEqual([
      expect.objectContaining({ op: 'resolve', bind: 'netdev', from: { kind: 'single-entry', expected: 'enc1', settleMs: 1000 }, valid: 'ifname', timeoutMs: 10_000 }),
      expect.objectContaining({
        op: 'exec',
        args: ['link', 'set', 'dev', '{netdev}', 'address', '0a:00:00:00:00:11'],
        unless: { path: '/sys/class/net/{netdev}/address', expect: { kind: 'equals', value: '0a:00:00:00:00:11' } },
        retry: { rebind: 'netdev', ifGone: '/sys/class/net/{netdev}' },
      }),
      expect.objectContaining({ op: 'verify', expect: { kind: 'equals', value: '0a:00:00:00:00:11' } }),
    ]);
  });

  it('loads the driver once for all devices, then waits for the ccw driver to bind each member', () => {
    const unbound = { boundToQeth: false };
    const plan = planQeth([entry('0001', 0), entry('0004', 0)], snapshot(['0001', '0002', '0003', '0004', '0005', '0006'].map((d) => ccw(d, unbound)), { driverLoaded: false }), options);
    expect(plan.prepare.map((p) => p.target)).toEqual(['qeth-driver']);
    expect(plan.prepare[0]!.actions[0]).toMatchObject({ op: 'exec', path: 'modprobe', args: ['-a', 'qeth', 'qeth_l2'] });
    expect(summary(plan.devices[1]!.actions).slice(0, 3)).toEqual([
      'wait /sys/bus/ccw/devices/0.0.0004/driver',
      'wait /sys/bus/ccw/devices/0.0.0005/driver',
      'wait /sys/bus/ccw/devices/0.0.0006/driver',
    ]);
  });

  it('frees every hidden device in one cio_ignore write, settles, then waits for each to appear', () => {
    const plan = planQeth([entry('0001', 0), entry('0004', 1)], snapshot([], { cioIgnore: parseCioIgnore('0.0.0000-0.0.00ff\n') }), options);
    expect(summary(plan.prepare[0]!.actions)).toEqual([
      'write /proc/cio_ignore free 0.0.0001,0.0.0002,0.0.0003,0.0.0004,0.0.0005,0.0.0006',
      'write /proc/cio_settle 1',
    ]);
    expect(summary(plan.devices[0]!.actions).slice(0, 4)).toEqual([
      'wait /sys/bus/ccw/devices/0.0.0001',
      'wait /sys/bus/ccw/devices/0.0.0002',
      'wait /sys/bus/ccw/devices/0.0.0003',
      'write /sys/bus/ccwgroup/drivers/qeth/group 0.0.0001,0.0.0002,0.0.0003',
    ]);
  });

  it('picks the next free device on the same CHPID when read+2 does not fit (lsznet.raw)', () => {
    const devices = [ccw('0001'), ccw('0002'), ccw('0003', { chpid: '12' }), ccw('0004', { groupDevice: '0.0.0000' }), ccw('0005')];
    const plan = planQeth([entry('0001', 0)], snapshot(devices, { ccwComplete: true }), options);
    expect(plan.devices[0]!.actions[0]).toMatchObject({ value: '0.0.0001,0.0.0002,0.0.0005' });
  });

  it('never takes another entry\'s read or write device as data', () => {
    const devices = ['0001', '0002', '0003', '0004', '0005', '0006'].map((d) => ccw(d));
    const plan = planQeth([entry('0001', 0), entry('0003', 0)], snapshot(devices, { ccwComplete: true }), options);
    expect(plan.devices.map((d) => d.actions[0])).toMatchObject([{ value: '0.0.0001,0.0.0002,0.0.0005' }, { value: '0.0.0003,0.0.0004,0.0.0006' }]);
  });

  it('only brings an already grouped, configured, offline device online', () => {
    const plan = planQeth([entry('0001', 1)], snapshot([ccw('0001', { groupDevice: '0.0.0001' })], { groups: { '0.0.0001': group('0001', { portno: 1, layer2: 1 }) } }), options);
    expect(summary(plan.devices[0]!.actions)).toEqual(['write /sys/bus/ccwgroup/devices/0.0.0001/online 1']);
    expect(plan.devices[0]!.actions[0]).toMatchObject({ okIfAlready: true });
  });

  it('writes nothing for an online device with the wanted settings (a MAC is checked at run time)', () => {
    const groups = { '0.0.0001': group('0001', { online: true, portno: 1, layer2: 1, netdevs: ['enc1'] }) };
    expect(planQeth([entry('0001', 1)], snapshot([], { groups }), options).devices[0]!.actions).toEqual([]);
    expect(summary(planQeth([entry('0001', 1, '0a:00:00:00:00:11')], snapshot([], { groups }), options).devices[0]!.actions)).toEqual([
      'resolve /sys/bus/ccwgroup/devices/0.0.0001/net',
      'exec ip',
      'verify /sys/class/net/{netdev}/address',
    ]);
  });

  it('leaves an online device with other settings alone and says why, unless forced', () => {
    const groups = { '0.0.0001': group('0001', { online: true, portno: 0, layer2: 1 }) };
    const plan = planQeth([entry('0001', 1)], snapshot([], { groups }), options);
    expect(plan.devices).toEqual([]);
    expect(plan.failures[0]).toMatchObject({ target: '0.0.0001', ok: false });
    expect(plan.failures[0]!.error).toMatch(/online with portno=0 layer2=1.*wants portno=1.*not disrupting.*--force/);
    const forced = planQeth([entry('0001', 1)], snapshot([], { groups }), { ...options, force: true });
    expect(summary(forced.devices[0]!.actions)).toEqual([
      'write /sys/bus/ccwgroup/devices/0.0.0001/online 0',
      'write /sys/bus/ccwgroup/devices/0.0.0001/portno 1',
      'write /sys/bus/ccwgroup/devices/0.0.0001/online 1',
    ]);
  });

  it.each([
    ['a member of another group', [ccw('0002', { groupDevice: '0.0.0001' })], /0\.0\.0002 is already a member of group 0\.0\.0001/],
    ['not a qeth CU type', [ccw('0002', { cutype: '3088/08' }), ccw('0003'), ccw('0004')], /CU type 3088\/08, not a qeth device/],
    ['missing and not hidden', [], /0\.0\.0002 does not exist \(and is not hidden by cio_ignore\)/],
    ['without a write device', [ccw('0002')], /write device 0\.0\.0003 \(read\+1\) not found/],
    ['with a write device on another CHPID', [ccw('0002'), ccw('0003', { chpid: '12' }), ccw('0004')], /write device 0\.0\.0003 is on CHPID 12/],
  ])('fails a device that is %s, with the reason', (_name, devices, reason) => {
    const plan = planQeth([entry('0002', 0)], snapshot(devices), options);
    expect(plan.devices).toEqual([]);
    expect(plan.failures[0]!.error).toMatch(reason);
  });

  it('after the prepare steps, fails every device when the driver is still missing, and plans no prepare again', () => {
    const plan = planQeth([entry('0001', 0), entry('0004', 0)], snapshot([ccw('0001')], { driverLoaded: false }), { ...options, afterPrepare: true });
    expect(plan.prepare).toEqual([]);
    expect(plan.failures.map((f) => f.target)).toEqual(['0.0.0001', '0.0.0004']);
  });
});

describe('cio_ignore hygiene', () => {
  const hidden = parseCioIgnore('0.0.0002-0.0.0006\n');

  it('frees the hidden neighbours of a visible OSA read device, and all of a hidden one', () => {
    const plan = planQeth([entry('0001', 0), entry('0004', 0)], snapshot([ccw('0001')], { cioIgnore: hidden }), options);
    expect(plan.freed).toEqual(['0.0.0002', '0.0.0003', '0.0.0004', '0.0.0005', '0.0.0006']);
    expect(summary(plan.prepare[0]!.actions)[0]).toBe('write /proc/cio_ignore free 0.0.0002,0.0.0003,0.0.0004,0.0.0005,0.0.0006');
  });

  it.each([
    ['not OSA or HiperSockets', ccw('0001', { cutype: '3990/e9' })],
    ['a member of another group', ccw('0001', { groupDevice: '0.0.0000' })],
  ])('frees nothing for a visible read device that is %s, and says so', (_name, read) => {
    const plan = planQeth([entry('0001', 0)], snapshot([read], { cioIgnore: hidden }), options);
    expect(plan.freed).toEqual([]);
    expect(plan.prepare).toEqual([]);
    expect(plan.failures[0]!.error).toMatch(/; 0\.0\.0002, 0\.0\.0003 stay hidden by cio_ignore \(nothing freed for it\)$/);
  });

  it('frees listed devices that are still registered (hidden again by an earlier run), so the list ends empty', () => {
    // `add` leaves a registered device registered: it is visible and on the list at once.
    const plan = planQeth([entry('0001', 0)], snapshot([ccw('0001'), ccw('0002'), ccw('0003')], { cioIgnore: hidden }), options);
    expect(plan.freed).toEqual(['0.0.0002', '0.0.0003']);
    expect(summary(plan.prepare[0]!.actions)[0]).toBe('write /proc/cio_ignore free 0.0.0002,0.0.0003');
    expect(plan.devices.map((d) => d.target)).toEqual(['0.0.0001']);
  });

  it('frees nothing for a read device that neither exists nor is hidden', () => {
    const plan = planQeth([entry('0001', 0)], snapshot([], { cioIgnore: hidden }), options);
    expect(plan.freed).toEqual([]);
  });

  it('hides again exactly the freed devices no group took', () => {
    const after = snapshot([ccw('0001', { groupDevice: '0.0.0001' }), ccw('0002', { groupDevice: '0.0.0001' }), ccw('0003'), ccw('0004', { groupDevice: '0.0.0001' })]);
    const rehide = planRehide(['0.0.0001', '0.0.0002', '0.0.0003', '0.0.0005'] as BusId[], after);
    expect(rehide.map((p) => summary(p.actions))).toEqual([['write /proc/cio_ignore add 0.0.0003,0.0.0005']]);
    expect(planRehide(['0.0.0001', '0.0.0002'] as BusId[], after)).toEqual([]);
  });
});
