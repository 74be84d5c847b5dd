// The production bundle, unmodified, on the kernel model served through FUSE: real syscalls through Node's fs, a
// modelled latency blocking the writing thread, the fake ip/modprobe acting on the same model.
import { spawn } from 'node:child_process';
import { readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { osaTriple, preGrouped } from '../sim/scenario.js';
import { fuseSkipReason, useFuseModel } from './harness.js';
import type { Step } from './model-server.js';

const skip = fuseSkipReason();

/** `nics` OSA triples, the read devices 0001, 0004, … */
const triples = (nics: number) => Array.from({ length: nics }, (_, i) => osaTriple((1 + 3 * i).toString(16).padStart(4, '0'))).flat();
const cmdlineFor = (nics: number) => Array.from({ length: nics }, (_, i) => `${(1 + 3 * i).toString(16).padStart(4, '0')},0;`).join('');

describe.skipIf(skip !== undefined)('the kernel model as a file system (FUSE)', () => {
  const model = useFuseModel(skip);

  // The model answers in this process: only asynchronous fs calls here, a synchronous one would wait for itself.
  it('serves attributes, directories, symlinks and the errno of refused writes exactly', async () => {
    model.boot({ devices: [...osaTriple('0001', { group: preGrouped({ portno: 0 }) })], moduleLoaded: true });
    const sys = join(model.mount.root, 'sys');
    expect(await readdir(join(sys, 'bus/ccwgroup/devices'))).toEqual(['0.0.0001']);
    expect(await readlink(join(sys, 'bus/ccwgroup/devices/0.0.0001'))).toBe('../../../devices/qeth/0.0.0001');
    expect(await readFile(join(sys, 'bus/ccwgroup/devices/0.0.0001/online'), 'utf8')).toBe('0\n');
    expect((await stat(join(sys, 'bus/ccwgroup/devices/0.0.0001'))).isDirectory()).toBe(true);
    // portno beyond the adapter's ports is EINVAL from the model, through the real write(2).
    await expect(writeFile(join(sys, 'bus/ccwgroup/devices/0.0.0001/portno'), '7')).rejects.toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await expect(readFile(join(sys, 'bus/ccwgroup/devices/0.0.0009/online'))).rejects.toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await writeFile(join(sys, 'bus/ccwgroup/devices/0.0.0001/online'), '1');
    expect(await readFile(join(sys, 'bus/ccwgroup/devices/0.0.0001/online'), 'utf8')).toBe('1\n');
    // Writing 1 to an online device is EINVAL (reference qeth §5).
    await expect(writeFile(join(sys, 'bus/ccwgroup/devices/0.0.0001/online'), '1')).rejects.toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('lets concurrent writes to one attribute from different opens run at once (FOPEN_PARALLEL_DIRECT_WRITES)', async () => {
    const kernel = model.boot({ devices: triples(1), moduleLoaded: true });
    kernel.latency({ path: '/proc/cio_ignore', op: 'write', ms: 200 });
    // Another process with a pool wide enough: each write holds one of its threads for 0.2 s.
    const script = `const fs = require('node:fs/promises'); Promise.all(Array.from({ length: 8 }, async () => {
      const h = await fs.open(process.argv[1], fs.constants.O_WRONLY); await h.write('free 0.0.0001'); await h.close(); }));`;
    const child = spawn(process.execPath, ['-e', script, join(model.mount.root, 'proc/cio_ignore')], { env: { UV_THREADPOOL_SIZE: '16' }, stdio: 'inherit' });
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    expect(model.server.maxInFlightByPath.get('/proc/cio_ignore')).toBe(8);
  });

  it('configures 4 NICs with the production bundle and --root, through real file-system calls', async () => {
    const kernel = model.boot({ devices: triples(4), moduleLoaded: false, onlineLatencyMs: 50 });
    const run = await model.run(['qeth', '--cmdline', cmdlineFor(4)]);
    expect(run.stderr).toContain('<6>0.0.0001: configured');
    expect(run.code).toBe(0);
    for (const read of ['0.0.0001', '0.0.0004', '0.0.0007', '0.0.000a']) expect(kernel.group(read)).toMatchObject({ online: true, layer2: 1, portno: 0 });
    // modprobe ran as a program on PATH and loaded the model's module.
    expect(kernel.isModuleLoaded('qeth_l2')).toBe(true);
    expect(model.server.steps.filter((step) => step.kind === 'exec').map((step) => step.target)).toEqual(['modprobe -a qeth qeth_l2']);
    const record = JSON.parse(await readFile(join(model.mount.root, 'run/guest-boot-agent/qeth.json'), 'utf8'));
    expect(record).toMatchObject({ command: 'qeth', exitCode: 0 });
  });
});

describe.skipIf(skip !== undefined)('12 NICs through the FUSE model', () => {
  const model = useFuseModel(skip);

  it('has all 12 blocking online writes in flight at once', async () => {
    const kernel = model.boot({ devices: triples(12), moduleLoaded: true, onlineLatencyMs: 300 });
    // No UV_THREADPOOL_SIZE from outside: the agent sizes libuv's pool itself (issue 10 item 1).
    const run = await model.run(['qeth', '--cmdline', cmdlineFor(12)]);
    expect(run.code).toBe(0);
    expect(kernel.group('0.0.0022')).toMatchObject({ online: true });
    const online = (step: Step) => step.target.endsWith('/online') && step.value === '1';
    expect(model.server.steps.filter(online)).toHaveLength(12);
    // The model's own record: each online write holds a thread of the agent for 0.3 s, as in the kernel.
    expect(model.server.maxConcurrent(online)).toBe(12);
  });
});
