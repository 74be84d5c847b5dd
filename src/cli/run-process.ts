// Runs the CLI as this process: real argv, environment, stdout and stderr; the exit code set, never process.exit().
import type { Host } from '../host/host.js';
import { isCharacterDevice, writeText } from '../host/stdio.js';
import type { ImageFs } from '../host/host.js';
import { runMain } from './run-main.js';

/** The entry points' one job: run with `createHost` (and `createImageFs` for install) and set process.exitCode from the outcome. */
export function runAsProcess(createHost: (root: string) => Host, createImageFs: (root: string) => ImageFs): void {
  void runMain(process.argv, {
    createHost,
    createImageFs,
    // The script node runs: the bundle itself (as /usr/bin/guest-boot-agent or dist/guest-boot-agent.js).
    bundlePath: process.argv[1],
    env: process.env,
    stdout: (text) => writeText(1, text),
    stderr: (text) => writeText(2, text),
    stderrIsTty: isCharacterDevice(2),
  }).then((code) => {
    // exitCode, not process.exit(): Node then ends by itself once nothing is pending.
    process.exitCode = code;
  });
}
