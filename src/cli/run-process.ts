// Runs the CLI as this process: real argv, environment and streams; the exit code set, never process.exit().
import type { Host } from '../host/host.js';
import { runMain } from './run-main.js';

/** The entry points' one job: run with `createHost` and set process.exitCode from the outcome. */
export function runAsProcess(createHost: (root: string) => Host): void {
  void runMain(process.argv, {
    createHost,
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
  }).then((code) => {
    // Never process.exit(): stdout to a journal socket is asynchronous and would be cut off.
    process.exitCode = code;
  });
}
