// One deadline per run (DESIGN §6, issue 10): every wait, retry, program call and fetch takes its time from it, so
// a run ends within its budget and systemd's TimeoutStartSec (derived from the same budget) never has to kill it.
// Built once per run from a `now()` reading; pure code is handed remainingMs() numbers, never the clock.

export interface Deadline {
  /** The budget the run was given. */
  readonly totalMs: number;
  /** Milliseconds left, never negative. */
  remainingMs(): number;
  /** `ms`, or what is left of the run (whole ms) when that is less: the bound a single wait or call may use. */
  bound(ms: number): number;
  /** True once the budget is spent. */
  passed(): boolean;
}

/** A deadline `totalMs` after now, on the scale of `now` (a monotonic clock). */
export function createDeadline(now: () => number, totalMs: number): Deadline {
  const end = now() + totalMs;
  const remainingMs = () => Math.max(0, end - now());
  return {
    totalMs,
    remainingMs,
    // Whole milliseconds: child_process rejects a fractional timeout (ERR_OUT_OF_RANGE), and the clock is fractional.
    bound: (ms) => Math.min(ms, Math.floor(remainingMs())),
    passed: () => remainingMs() <= 0,
  };
}
