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
    expect(run.lines.some((line) => line.startsWith('<3>0.0.0001: set MAC of enc1 to 0a:00:00:00:00:11 failed:') && line.includes('RTNETLINK answers'))).toBe(true);
    expect(kernel.netdevOf('0.0.0001')?.mac).toBe('02:00:00:00:00:01');
  });

  it('exits 2 for an interface that is not a qeth device, and for a bus id with no interface', async () => {
    const { host } = await onlineDevice('0001,1,0a0000000011;');
    const unknown = await runAgent(host, ['setmac', 'eth7']);
    expect(unknown.code).toBe(2);
    expect(unknown.lines).toContain('<3>guest-boot-agent: setmac: eth7 is not a qeth interface (no ccwgroup parent device); pass its bus id or devpath');
    const noInterface = await runAgent(host, ['setmac', '0.0.0004']);
    expect(noInterface.code).toBe(2);
    expect(noInterface.lines).toContain('<3>guest-boot-agent: setmac: 0.0.0004 has no interface (is it grouped and online?)');
  });

  it('logs only its own device\'s rejected entries', async () => {
    const { host } = await onlineDevice('0001,1,0a0000000011; 0004,2;');
    const run = await runAgent(host, ['setmac', 'enc1']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('0004');
  });
});
