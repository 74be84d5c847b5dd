// setmac's interface-name and bus-id forms, which need the qeth sysfs layout only the simulator has here.
import { describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/run-agent.js';
import { osaTriple, simQeth } from '../sim/scenario.js';

/** An OSA device grouped and online, renamed to enc1 by udev. */
async function onlineDevice(cmdline: string) {
  const sim = simQeth({ devices: osaTriple('0001'), moduleLoaded: true, rename: { mode: 'delay', ms: 0 }, cmdline });
  await sim.host.sysfs.write('/sys/bus/ccwgroup/drivers/qeth/group', '0.0.0001,0.0.0002,0.0.0003');
  await sim.host.sysfs.write('/sys/bus/ccwgroup/devices/0.0.0001/online', '1');
  await new Promise((resolve) => setTimeout(resolve, 10));
  sim.host.writes.length = 0;
  return sim;
}

describe('setmac on the simulated kernel', () => {
  it.each([['an interface name', 'enc1'], ['a bus id', '0.0.0001'], ['an upper-case bus id', '0.0.0001'.toUpperCase()]])('sets the MAC given %s', async (_name, device) => {
    const { kernel, host } = await onlineDevice('0001,1,0a0000000011;');
    const run = await runAgent(host, ['setmac', device]);
    expect(run.code).toBe(0);
    expect(kernel.netdevOf('0.0.0001')).toMatchObject({ name: 'enc1', mac: '0a:00:00:00:00:11' });
    expect(host.execs).toEqual([['ip', 'link', 'set', 'dev', 'enc1', 'address', '0a:00:00:00:00:11']]);
  });

  it('exits 1 with ip\'s message when the card refuses the MAC, leaving the address as it was', async () => {
    const { kernel, host } = await onlineDevice('0001,1,0a0000000011;');
    host.inject({ path: 'ip', op: 'exec', errno: 'EADDRNOTAVAIL', times: 1 });
    const run = await runAgent(host, ['setmac', 'enc1']);
    expect(run.code).toBe(1);
    expect(run.lines.some((line) => line.startsWith('<3>0.0.0001: run ip link set dev enc1 address 0a:00:00:00:00:11 unless /sys/class/net/enc1/address = "0a:00:00:00:00:11" failed:') && line.includes('RTNETLINK answers'))).toBe(true);
    expect(kernel.netdevOf('0.0.0001')?.mac).toBe('02:00:00:00:00:01');
  });

  it('a bus id without an interface is a state, not usage: exit 1 with what to do when a MAC is wanted, 0 when not', async () => {
    const { host } = await onlineDevice('0001,1,0a0000000011; 0004,0,0a0000000044;');
    const notGrouped = await runAgent(host, ['setmac', '0.0.0004', '--json']);
    expect(notGrouped.code).toBe(1);
    expect(notGrouped.lines).toContain(
      '<3>0.0.0004: 0.0.0004 is not a qeth group device (not grouped yet): the MAC 0a:00:00:00:00:44 from the kernel command line cannot be set yet; it is set when the interface appears (guest-boot-agent-setmac@<if>), or run `guest-boot-agent qeth`; `guest-boot-agent show` shows the device',
    );
    expect(JSON.parse(notGrouped.stdout)).toMatchObject({ command: 'setmac', device: { busId: '0.0.0004', ifname: null }, results: [{ target: '0.0.0004', ok: false }], exitCode: 1 });
    const noMac = await runAgent(host, ['setmac', '0.0.0007']);
    expect(noMac.code).toBe(0);
    expect(noMac.lines).toContain('<6>0.0.0007: no MAC for 0.0.0007 on the kernel command line; nothing to do');
  });

  it('a group that is not online has no interface: exit 1, naming why', async () => {
    const { host } = simQeth({ devices: osaTriple('0001'), moduleLoaded: true, cmdline: '0001,0,0a0000000011;' });
    await host.sysfs.write('/sys/bus/ccwgroup/drivers/qeth/group', '0.0.0001,0.0.0002,0.0.0003');
    const run = await runAgent(host, ['setmac', '0.0.0001']);
    expect(run.code).toBe(1);
    expect(run.lines.some((line) => line.startsWith('<3>0.0.0001: 0.0.0001 has no interface (the group is not online): the MAC 0a:00:00:00:00:11'))).toBe(true);
  });

  it('an interface that does not exist: exit 1, saying where to look; never a usage error', async () => {
    const { host } = await onlineDevice('0001,1,0a0000000011;');
    const run = await runAgent(host, ['setmac', 'eth7']);
    expect(run.code).toBe(1);
    expect(run.lines).toContain('<3>eth7: no such interface (/sys/class/net/eth7 does not exist); `ip link` lists the interfaces, `guest-boot-agent show` the qeth devices');
    expect(run.stderr).not.toMatch(/bus id or devpath/);
  });

  it('logs only its own device\'s rejected entries', async () => {
    const { host } = await onlineDevice('0001,1,0a0000000011; 0004,2;');
    const run = await runAgent(host, ['setmac', 'enc1']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('0004');
  });
});
