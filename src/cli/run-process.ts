// Runs the CLI as this process: real argv, environment, stdout and stderr, SIGTERM/SIGINT; the exit code set.
import type { Host } from '../host/host.js';
import { isCharacterDevice, writeText } from '../host/stdio.js';
import type { ImageFs } from '../host/host.js';
import { InterruptedError } from '../errors.js';
import { WRAP_UP_MS } from '../run-budget.js';
import { runMain } from './run-main.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** The entry points' one job: run with `createHost` (and `createImageFs` for install) and set process.exitCode from the outcome. */
export function runAsProcess(createHost: (root: string) => Host, createImageFs: (root: string) => ImageFs): void {
  // SIGTERM is what systemd sends at TimeoutStartSec, SIGINT a terminal's ^C: instead of dying between two writes
  // (autoprobe held at 0), the run stops starting steps, undoes what is due, records itself and exits 1.
  const stop = new AbortController();
  for (const name of SIGNALS) {
    process.on(name, () => {
      if (stop.signal.aborted) return;
      stop.abort(new InterruptedError(name));
      // A command that does not watch the signal (show, install) or a kernel write that never returns: the wrap-up
      // allowance the units' TimeoutStartSec includes, then exit anyway. unref: a run that finishes first is not held.
      setTimeout(() => {
        writeText(2, `guest-boot-agent: ${name}: the run did not wrap up within ${WRAP_UP_MS / 1000} s; exiting\n`);
        process.exit(1);
      }, WRAP_UP_MS).unref();
    });
  }
  void runMain(process.argv, {
    createHost,
    createImageFs,
    // The script node runs: the bundle itself (as /usr/bin/guest-boot-agent or dist/guest-boot-agent.js).
    bundlePath: process.argv[1],
    env: process.env,
    stdout: (text) => writeText(1, text),
    stderr: (text) => writeText(2, text),
    stderrIsTty: isCharacterDevice(2),
    signal: stop.signal,
  }).then((code) => {
    // exitCode, not process.exit(): Node then ends by itself once nothing is pending.
    process.exitCode = code;
    // Interrupted: an abandoned fetch or wait may still hold a timer; the run is recorded, so end now.
    if (stop.signal.aborted) process.exit(code);
  });
}
