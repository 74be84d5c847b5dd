// Program calls take their time from the run's deadline: the real execFile (execa) running real programs.
import { describe, expect, it } from 'vitest';
import { execFile, execWithinDeadline } from '../../src/host/exec.js';
import { createDeadline } from '../../src/lib/deadline.js';

describe('execWithinDeadline', () => {
  it("kills a program at the run's deadline, not at its own longer timeout", async () => {
    const exec = execWithinDeadline(execFile, createDeadline(() => performance.now(), 300));
    const started = performance.now();
    await expect(exec('sleep', ['5'], { timeoutMs: 30_000 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it('starts nothing once the deadline has passed (a program that does not exist would say ENOENT)', async () => {
    const exec = execWithinDeadline(execFile, createDeadline(() => performance.now(), 0));
    await expect(exec('no-such-program-gba', [], { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'ETIMEDOUT', message: expect.stringContaining('the run deadline has passed') });
  });

  it('leaves a program that finishes in time alone', async () => {
    const exec = execWithinDeadline(execFile, createDeadline(() => performance.now(), 10_000));
    await expect(exec('true', [], { timeoutMs: 5000 })).resolves.toMatchObject({ exitCode: 0 });
  });
});
