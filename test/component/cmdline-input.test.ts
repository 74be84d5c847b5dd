// Every kind of bad command-line input, through the real CLI: one log line naming it, and the exit code.
import { describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/run-agent.js';
import { osaTriple, simQeth } from '../sim/scenario.js';

const devices = [...osaTriple('0001'), ...osaTriple('0004')];
const run = (cmdline: string) => runAgent(simQeth({ devices, moduleLoaded: true }).host, ['qeth', '--dry-run', '--cmdline', cmdline]);

describe('bad command-line input', () => {
  it.each([
    ['port 2', '0001,2;0004,0;', '<3>cmdline: rejected "0001,2": port must be 0 or 1, got "2"'],
    ['a MAC with non-hex characters', '0001,1,0a00000000zz;', '<3>cmdline: rejected "0001,1,0a00000000zz": MAC "0a00000000zz" contains non-hex characters'],
    ['an 11-digit MAC', '0001,1,0a000000001;', '<3>cmdline: rejected "0001,1,0a000000001": MAC must be 12 hex digits, got 11'],
    ['a 13-digit MAC', '0001,1,0a00000000111;', '<3>cmdline: rejected "0001,1,0a00000000111": MAC must be 12 hex digits, got 13'],
    ['a multicast MAC', '0001,1,010000000011;', '<3>cmdline: rejected "0001,1,010000000011": MAC 01:00:00:00:00:11 is a multicast address (first octet odd); the device is configured without it'],
    ['a universally administered MAC', '0001,1,000000000011;', '<3>cmdline: rejected "0001,1,000000000011": MAC 00:00:00:00:00:11 is not locally administered (second hex digit must be 2, 6, a or e); the device is configured without it'],
    ['devno fffe', 'fffe,0;0001,0;', '<3>cmdline: rejected "fffe,0": devno fffe leaves no room for the write and data devices (max fffd)'],
    ['devno zzzz', '0001,0;zzzz,1;', '<3>cmdline: rejected "zzzz,1": devno must be 4 hex digits'],
    ['conflicting duplicates', '0001,1;0001,0;0004,0;', '<3>cmdline: rejected "0001,1": devno 0001 appears with conflicting settings (0001,1; 0001,0;); all its entries are ignored'],
  ])('%s: one line naming it, exit 1', async (_name, cmdline, line) => {
    const result = await run(cmdline);
    expect(result.lines).toContain(line);
    expect(result.code).toBe(1);
  });

  it('still plans the device of a rejected MAC, without the MAC', async () => {
    const result = await run('0001,1,010000000011;');
    expect(result.stdout).toContain('write "1" > /sys/bus/ccwgroup/devices/0.0.0001/online');
    expect(result.stdout).not.toContain('address');
  });

  it.each([
    ['an empty cmdline', ''],
    ['an entry-like string in rd.zfcp', 'root=/dev/dasda1 rd.zfcp=0.0.0003,0x5005076300c213e9,0x5022000000000000'],
    ['an entry-like string inside another value', 'foo=bar0003,1;'],
  ])('%s: nothing to do, exit 0', async (_name, cmdline) => {
    const result = await run(cmdline);
    expect(result.lines).toContain('<6>qeth: no qeth NIC entries on the kernel command line; nothing to do');
    expect(result.code).toBe(0);
  });

  it('accepts a list without its final ";" with a warning, exit 0', async () => {
    const result = await run('0001,1;0004,0');
    expect(result.lines).toContain('<4>cmdline: "0004,0": missing the final ";" that nova-dpm writes; accepted');
    expect(result.code).toBe(0);
  });

  it('bounds 300 entries to 256, logging each one left out, exit 1', async () => {
    const list = Array.from({ length: 300 }, (_, i) => `${(i * 3).toString(16).padStart(4, '0')},0;`).join('');
    const result = await run(list);
    expect(result.lines.filter((line) => line.endsWith(': more than 256 NIC entries; ignored'))).toHaveLength(44);
    expect(result.code).toBe(1);
  });

  it('exits 3 with one line when /proc/cmdline is missing', async () => {
    const { host } = simQeth({ devices, moduleLoaded: true });
    const result = await runAgent(host, ['qeth']);
    expect(result.code).toBe(3);
    expect(result.lines).toEqual(['<3>guest-boot-agent: cannot read /proc/cmdline: it does not exist under /']);
  });

  it('exits 3 with one line when /proc/cmdline cannot be read', async () => {
    const { host } = simQeth({ devices, moduleLoaded: true, cmdline: '0001,0;' });
    host.files.read = async () => {
      throw Object.assign(new Error('EACCES: permission denied, open /proc/cmdline'), { code: 'EACCES' });
    };
    const result = await runAgent(host, ['qeth']);
    expect(result.code).toBe(3);
    expect(result.lines).toEqual(['<3>guest-boot-agent: cannot read /proc/cmdline: EACCES: permission denied, open /proc/cmdline']);
  });
});
