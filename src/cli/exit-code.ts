// Exit codes of DESIGN §2 and the pure rule that picks one for a run.
import type { Result } from '../plan/action.js';

export const ExitCode = {
  /** Done, or nothing to do. */
  ok: 0,
  /** Some work failed or some input was rejected; the rest was still done. */
  failed: 1,
  /** Usage or configuration error. */
  usage: 2,
  /** A required input was unavailable. */
  unavailable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** 1 when any target failed or any input entry was rejected, else 0. */
export function exitCodeFor(outcome: { results: readonly Result[]; rejected: readonly unknown[] }): ExitCode {
  const failed = outcome.results.some((result) => !result.ok) || outcome.rejected.length > 0;
  return failed ? ExitCode.failed : ExitCode.ok;
}
