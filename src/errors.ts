// Exceptions that travel to the entry point, each mapped to one exit code there.

/** Bad command-line usage or configuration: exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A required input could not be had (cmdline unreadable, vendor data unreachable): exit 3. */
export class InputUnavailableError extends Error {
  override name = 'InputUnavailableError';
}

/** The message of any thrown value, with its cause chain, for one log line. */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** The run was asked to stop (SIGTERM from systemd's TimeoutStartSec, SIGINT from a terminal): the abort reason of
 * the run's signal. Steps not yet started are skipped, the undo steps that are due still run, the run is recorded. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor(readonly signalName: string) {
    super(`interrupted by ${signalName}`);
  }
}
