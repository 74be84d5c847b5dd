// The retry runner on a virtual clock: full-jitter bounds, the budget as a hard wall, shouldRetry obeyed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/host/host.js';
import type { AttemptOutcome, RetryPolicy } from '../../../src/lib/retry.js';
import { AttemptTimeoutError, backoffCeilingMs, runWithRetry } from '../../../src/lib/retry.js';

/** Time moves only when every pending promise is stuck on a sleep: then it jumps to the earliest wake-up. */
class VirtualClock implements Clock {
  private t = 0;
  private timers: { at: number; seq: number; wake: () => void }[] = [];
  private seq = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = { at: this.t + ms, seq: this.seq++, wake: resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((other) => other !== timer);
        reject(signal.reason);
      });
    });
  }

  /** Drives `promise` to completion, advancing virtual time whenever nothing else can run. */
  async run<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const done = promise.finally(() => {
      settled = true;
    });
    for (let guard = 0; guard < 100_000; guard++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return done;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (next === undefined) throw new Error('deadlock: nothing pending on the virtual clock');
      this.t = Math.max(this.t, next.at);
      next.wake();
    }
    throw new Error('runaway virtual clock');
  }
}

const POLICY: RetryPolicy = { baseMs: 1000, capMs: 5000, attemptTimeoutMs: 10_000, budgetMs: 120_000 };
const always = { shouldRetry: () => true };
const failing = async () => {
  throw new Error('ECONNREFUSED');
};

describe('runWithRetry', () => {
  it('returns the first outcome shouldRetry accepts, after retrying the ones it rejects', async () => {
    const clock = new VirtualClock();
    const answers = [503, 500, 200];
    const result = await clock.run(
      runWithRetry(async () => answers.shift(), POLICY, { shouldRetry: (o) => o.ok && o.value !== 200 }, { clock, random: () => 0.5 }),
    );
    expect(result).toMatchObject({ outcome: { ok: true, value: 200 }, attempts: 3, exhausted: false });
  });

  it('stops at once on an outcome shouldRetry rejects (e.g. 404), with no sleep', async () => {
    const clock = new VirtualClock();
    const result = await clock.run(runWithRetry(async () => 404, POLICY, { shouldRetry: () => false }, { clock, random: () => 0.5 }));
    expect(result).toMatchObject({ outcome: { ok: true, value: 404 }, attempts: 1, exhausted: false, elapsedMs: 0 });
  });

  it('sleeps random × min(cap, base × 2^n): full jitter, doubling, capped', async () => {
    const clock = new VirtualClock();
    const policy = { ...POLICY, maxAttempts: 6 };
    await clock.run(runWithRetry(failing, policy, always, { clock, random: () => 0.5 }));
    // The 10 s timers of the attempts are sleeps too; keep the backoffs only.
    expect(clock.sleeps.filter((ms) => ms !== 10_000)).toEqual([500, 1000, 2000, 2500, 2500]);
    expect([0, 1, 2, 3, 10, 2000].map((n) => backoffCeilingMs(POLICY, n))).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('keeps every jittered delay within [0, ceiling) (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 8, maxLength: 8 }), async (draws) => {
        const clock = new VirtualClock();
        const queue = [...draws];
        await clock.run(runWithRetry(failing, { ...POLICY, maxAttempts: 9 }, always, { clock, random: () => queue.shift() ?? 0 }));
        const delays = clock.sleeps.filter((ms) => ms !== 10_000);
        delays.forEach((ms, n) => {
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThan(backoffCeilingMs(POLICY, n) + 1e-9);
        });
      }),
      { numRuns: 50 },
    );
  });

  it('never runs past the budget, whatever the draws and attempt durations (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 30_000 }),
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 3000 }),
        async (budgetMs, durations, draw, minAttemptMs) => {
          const clock = new VirtualClock();
          const work = async (signal: AbortSignal, attempt: number) => {
            await clock.sleep(durations[attempt % durations.length] ?? 0, signal);
            throw new Error('EIO');
          };
          // maxAttempts only keeps instant failures with near-zero draws from looping for ever in virtual time.
          const policy = { ...POLICY, budgetMs, minAttemptMs, maxAttempts: 300 };
          const result = await clock.run(runWithRetry(work, policy, always, { clock, random: () => draw }));
          expect(clock.now()).toBeLessThanOrEqual(budgetMs);
          expect(result.elapsedMs).toBeLessThanOrEqual(budgetMs);
          expect(result.exhausted).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('aborts an attempt at its timeout through the signal, and ends it even if the work ignores the signal', async () => {
    const clock = new VirtualClock();
    const seen: boolean[] = [];
    const hangs = (signal: AbortSignal) =>
      new Promise<never>(() => {
        signal.addEventListener('abort', () => seen.push(signal.reason instanceof AttemptTimeoutError));
      });
    const result = await clock.run(runWithRetry(hangs, { ...POLICY, maxAttempts: 2 }, always, { clock, random: () => 0 }));
    expect(result).toMatchObject({ attempts: 2, exhausted: true, outcome: { ok: false, error: { name: 'AttemptTimeoutError', timeoutMs: 10_000 } } });
    expect(seen).toEqual([true, true]);
    expect(clock.now()).toBe(20_000);
  });

  it('shortens the last attempt so it ends with the budget', async () => {
    const clock = new VirtualClock();
    const hangs = (signal: AbortSignal) => clock.sleep(1e9, signal);
    const result = await clock.run(runWithRetry(hangs, { ...POLICY, budgetMs: 25_000 }, always, { clock, random: () => 0 }));
    expect(result).toMatchObject({ attempts: 3, exhausted: true, elapsedMs: 25_000 });
    const last = result.outcome as Extract<AttemptOutcome<void>, { ok: false }>;
    expect((last.error as AttemptTimeoutError).timeoutMs).toBe(5000);
  });

  it('starts no attempt with less than minAttemptMs left, so the last error is a real one', async () => {
    const clock = new VirtualClock();
    const work = async (signal: AbortSignal) => {
      await clock.sleep(100, signal);
      throw new Error('ECONNREFUSED');
    };
    const policy = { ...POLICY, budgetMs: 3000, minAttemptMs: 1000 };
    const result = await clock.run(runWithRetry(work, policy, always, { clock, random: () => 0.99 }));
    expect(result).toMatchObject({ exhausted: true, outcome: { ok: false, error: { message: 'ECONNREFUSED' } } });
    // Attempt 1 at 0–100, sleep 0.99 × min(1000, 1900); attempt 2 at 1090–1190, sleep 0.99 × min(2000, 810); attempt 3 …
    expect(result.elapsedMs).toBeLessThanOrEqual(2000 + 100);
  });

  it('uses the delay hint (Retry-After) instead of the backoff, and gives up at once when it exceeds the budget', async () => {
    const clock = new VirtualClock();
    const hints = [3000, 500_000];
    const result = await clock.run(
      runWithRetry(async () => 503, POLICY, { shouldRetry: () => true, delayHintMs: () => hints.shift() }, { clock, random: () => 0.9 }),
    );
    expect(clock.sleeps.filter((ms) => ms !== 10_000)).toEqual([3000]);
    expect(result).toMatchObject({ attempts: 2, exhausted: true, elapsedMs: 3000 });
  });

  it('reports each retry before sleeping, and turns a thrown error into an outcome (never throws)', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    const result = await clock.run(
      runWithRetry(failing, { ...POLICY, maxAttempts: 3 }, { ...always, onRetry: (o, n, ms) => log.push(`${n}:${(o as { error: Error }).error.message}:${ms}`) }, { clock, random: () => 0.25 }),
    );
    expect(log).toEqual(['0:ECONNREFUSED:250', '1:ECONNREFUSED:500']);
    expect(result).toMatchObject({ attempts: 3, exhausted: true, outcome: { ok: false, error: { message: 'ECONNREFUSED' } } });
  });
});
