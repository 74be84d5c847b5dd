// The bundle sizes libuv's thread pool before its first fs call, so "16 devices at once" is 16 blocking sysfs writes
// in flight at once, not libuv's default 4 (DESIGN §4, issue 10). Observed on the real path: each group's `online`
// is a FIFO, so the agent's write blocks in open(2) exactly like a slow `online` blocks in the kernel; the test
// counts the agent's threads the kernel reports as blocked there (no timing involved).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { THREADPOOL_SIZE } from '../../src/concurrency.js';
import { drainEach, makeFifoLpar, serveOneReadEach, threadsWaitingOnFifo } from '../helpers/grouped-lpar.js';
import { BUNDLE } from '../helpers/run-bundle.js';

const DEVICES = 12;

/** Whether this kernel shows a thread blocked in a FIFO open as `wait_for_partner` in /proc/<pid>/task/<tid>/wchan. */
async function wchanWorks(): Promise<boolean> {
  const lpar = makeFifoLpar(1);
  const child = spawn(process.execPath, ['-e', `require('fs').open(${JSON.stringify(lpar.fifos[0])}, 'w', () => {})`], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('close', resolve));
  let seen = false;
  for (let i = 0; i < 100 && !seen; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    seen = threadsWaitingOnFifo(child.pid!) === 1;
  }
  await drainEach(lpar.fifos, 2_000);
  await exited;
  return seen;
}
const usable = await wchanWorks();
// Loud on purpose: a silently skipped test would hide a regression.
if (!usable) console.warn('\n!!! SKIPPING the thread-pool tests: /proc/<pid>/task/<tid>/wchan does not show wait_for_partner here.\n');

/** Runs `qeth` on 12 FIFO-online devices; returns the most writers ever blocked at once, what was written, the exit. */
async function blockedWriters(env: NodeJS.ProcessEnv) {
  const lpar = makeFifoLpar(DEVICES);
  const cmdline = lpar.devnos.map((devno) => `${devno},0;`).join(' ');
  const child = spawn(process.execPath, [BUNDLE, 'qeth', '--root', lpar.root, '--cmdline', cmdline], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Observation reads each `online` once ("0": offline); then every device writes "1" to it.
  await serveOneReadEach(lpar.fifos, '0\n', 10_000);
  // Wait until the blocked writers stop growing: all 12, or the pool's size when it is smaller.
  let most = 0;
  let stableSince = Date.now();
  while (most < DEVICES && Date.now() - stableSince < 3_000) {
    const now = threadsWaitingOnFifo(child.pid!);
    if (now > most) [most, stableSince] = [now, Date.now()];
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Open every read end: the blocked writers finish, and the queued ones (a smaller pool) open without blocking.
  const written = await drainEach(lpar.fifos, 20_000);
  return { most, written, code: await exited, stderr };
}

describe('the bundle', () => {
  it('is sized in dist/ before any fs module is loaded: the first statement after the runtime helpers', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    const assignment = text.indexOf(`process.env.UV_THREADPOOL_SIZE??=String(${THREADPOOL_SIZE})`);
    expect(assignment).toBeGreaterThan(0);
    // Everything before it only defines lazily initialised modules: no top-level require of node:fs runs first.
    expect(text.slice(0, assignment)).not.toMatch(/(^|;)var [\w$]+=require\("node:fs"\)/);
  });
});

describe.skipIf(!usable)('the thread pool of the bundle', () => {
  it(`has all ${DEVICES} online writes in flight at once`, async () => {
    const run = await blockedWriters({});
    expect(run.most).toBe(DEVICES);
    expect(run.written).toEqual(Array(DEVICES).fill('1'));
    expect(run.code, run.stderr).toBe(0);
  }, 30_000);

  it("keeps the operator's UV_THREADPOOL_SIZE (and so shows what the default pool of 4 would do)", async () => {
    const run = await blockedWriters({ UV_THREADPOOL_SIZE: '4' });
    expect(run.most).toBe(4);
    expect(run.code, run.stderr).toBe(0);
  }, 30_000);
});
