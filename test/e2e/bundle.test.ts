// The built bundle as a real process: help, version, show and a qeth dry-run on a static LPAR-shaped tree.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeStaticLpar } from '../helpers/static-lpar.js';
import { BUNDLE, runBundle } from '../helpers/run-bundle.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('the bundle', () => {
  it('starts with a node shebang and runs --version', async () => {
    expect(readFileSync(new URL('../../dist/guest-boot-agent.js', import.meta.url), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const run = await runBundle(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('exits 0 without a word on stderr when the reader of its stdout has gone (EPIPE)', async () => {
    const child = spawn(process.execPath, [BUNDLE, '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('prints help naming every command and global option', async () => {
    const run = await runBundle(['--help']);
    expect(run.code).toBe(0);
    for (const word of ['qeth', 'setmac', 'show', '--root', '--cmdline', '--dry-run', '--json', '--log-level']) expect(run.stdout).toContain(word);
  });

  it.each(['qeth', 'setmac', 'sriov', 'show', 'install'])('%s --help shows the global options too (they work after the command)', async (command) => {
    const run = await runBundle([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Global Options:');
    for (const word of ['--root <dir>', '--cmdline <text>', '--dry-run', '--json', '--log-level <level>']) expect(run.stdout).toContain(word);
  });

  it.each([['an unknown command', ['frobnicate']], ['an unknown option', ['qeth', '--frob']], ['a bad log level', ['--log-level', 'loud', 'show']], ['no command', []]])(
    'exits 2 on %s',
    async (_name, args) => {
      expect((await runBundle(args)).code).toBe(2);
    },
  );

  it('show --json reports the parsed cmdline and the observed devices', async () => {
    const root = makeStaticLpar({ visible: ['0001', '0002', '0003'], cmdline: 'root=/dev/dasda1 0001,1,0a0000000011;0004,2;' });
    const run = await runBundle(['show', '--json', '--root', root]);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({
      command: 'show',
      entries: [{ devno: '0001', busId: '0.0.0001', port: 1, mac: '0a:00:00:00:00:11' }],
      rejected: [{ token: '0004,2' }],
      qeth: { driverLoaded: true, ccw: { '0.0.0001': { cutype: '1731/01', chpid: '11', boundToQeth: true } } },
    });
    expect(run.code).toBe(0);
  });

  it('show says "hidden by cio_ignore" for a hidden device, and which devices do not exist at all', async () => {
    const root = makeStaticLpar({ visible: ['0001', '0002', '0003'], ignored: '0.0.0004-0.0.0005\n', cmdline: '0004,0;' });
    const run = await runBundle(['show', '--root', root]);
    expect(run.stdout).toContain('0.0.0004: not grouped; 0.0.0004 hidden by cio_ignore; 0.0.0005 hidden by cio_ignore; 0.0.0006 does not exist (not defined for this partition, not hidden)');
    expect(run.stdout).not.toContain('not visible');
    expect(run.code).toBe(0);
  });

  it('qeth --dry-run prints the plan, global options after the command work, and nothing is written', async () => {
    const root = makeStaticLpar({ visible: ['0001', '0002', '0003'], ignored: '0.0.0004-0.0.00ff\n' });
    const run = await runBundle(['qeth', '--root', root, '--dry-run', '--cmdline', '0001,1,0a0000000011;0004,0;']);
    expect(run.stdout).toContain('write "free 0.0.0004,0.0.0005,0.0.0006" > /proc/cio_ignore');
    expect(run.stdout).toContain('write "0.0.0001,0.0.0002,0.0.0003" > /sys/bus/ccwgroup/drivers/qeth/group');
    expect(run.stdout).toContain('resolve {netdev} = the one entry of /sys/bus/ccwgroup/devices/0.0.0001/net once its name is stable (enc1 at once, else unchanged for 1s; ≤10s)');
    expect(run.stdout).toContain('run ip link set dev {netdev} address 0a:00:00:00:00:11 unless /sys/class/net/{netdev}/address = "0a:00:00:00:00:11"; if /sys/class/net/{netdev} is gone meanwhile, resolve {netdev} again and retry once');
    expect(run.stdout).toContain('verify /sys/class/net/{netdev}/address = "0a:00:00:00:00:11"');
    expect(run.code).toBe(0);
    expect(readFileSync(`${root}/proc/cio_ignore`, 'utf8')).toBe('0.0.0004-0.0.00ff\n');
    expect(readFileSync(`${root}/sys/bus/ccwgroup/drivers/qeth/group`, 'utf8')).toBe('');
  });

  it('qeth --json --dry-run emits one document with the plan in execution order', async () => {
    const root = makeStaticLpar({ visible: ['0001', '0002', '0003'] });
    const run = await runBundle(['--json', '--dry-run', '--root', root, 'qeth', '--cmdline', '0001,0;']);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: 'qeth', dryRun: true, rejected: [], results: [], exitCode: 0 });
    expect(doc.actions.map((a: { op: string; path: string }) => `${a.op} ${a.path}`)).toEqual([
      'write /sys/bus/ccwgroup/drivers/qeth/group',
      'wait /sys/bus/ccwgroup/devices/0.0.0001',
      'write /sys/bus/ccwgroup/devices/0.0.0001/layer2',
      'write /sys/bus/ccwgroup/devices/0.0.0001/portno',
      'write /sys/bus/ccwgroup/devices/0.0.0001/online',
    ]);
  });

  it('takes the legacy cio_ignore=fd00,fd01,!condev for what it is: no rejection, no warning, exit 0 with the real NIC entries', async () => {
    const root = makeStaticLpar({ visible: ['0001', '0002', '0003', '0004', '0005', '0006'], cmdline: 'root=/dev/dasda1 cio_ignore=fd00,fd01,!condev 0001,0,0a0000000011; 0004,0,0a0000000012;' });
    const run = await runBundle(['qeth', '--root', root, '--dry-run', '--json']);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({
      entries: [
        { devno: '0001', port: 0, mac: '0a:00:00:00:00:11' },
        { devno: '0004', port: 0, mac: '0a:00:00:00:00:12' },
      ],
      rejected: [],
      warnings: [],
      exitCode: 0,
    });
    expect(run.stderr).not.toMatch(/fd00|condev|final ";"/);
    expect(run.code).toBe(0);
  });

  it("runs the README's set-up command against examples/lpar: a full plan, exit 0", async () => {
    const run = await runBundle(['--root', new URL('../../examples/lpar', import.meta.url).pathname, 'qeth', '--dry-run', '--cmdline', '0001,1,0a0000000011;0004,0;']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('write "free 0.0.0004,0.0.0005,0.0.0006" > /proc/cio_ignore');
    expect(run.stdout).toContain('write "0.0.0004,0.0.0005,0.0.0006" > /sys/bus/ccwgroup/drivers/qeth/group');
  });

  it('exits 3 with one clear line when /proc/cmdline cannot be read', async () => {
    const run = await runBundle(['qeth', '--root', makeTmpRoot()], { env: { JOURNAL_STREAM: '8:1' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^<3>guest-boot-agent: cannot read \/proc\/cmdline/m);
  });
});
