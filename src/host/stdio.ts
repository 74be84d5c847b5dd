// stdout and stderr as plain file descriptors. process.stdout/stderr are streams: creating one for the journal's
// socket or a pipe loads net and the whole stream stack, a few milliseconds of every boot for a few lines of text.
// Synchronous writes also mean nothing is still buffered when the process ends.
import { fstatSync, writeSync } from 'node:fs';

/** How long to wait when a non-blocking descriptor is full (another process set O_NONBLOCK on a shared pipe). */
const FULL_PAUSE_MS = 1;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to `fd`. A reader that has gone away (EPIPE) or a closed descriptor loses the output but
 * never the run: there is nowhere left to report it, and the devices still need configuring.
 */
export function writeText(fd: number, text: string): void {
  let rest = Buffer.from(text, 'utf8');
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(pause, 0, 0, FULL_PAUSE_MS);
    }
  }
}

/**
 * Whether `fd` is a character device: a terminal (or /dev/null), where log lines go without journald's priority
 * prefix. isatty() would need node:tty, which loads net; for deciding a prefix the difference does not matter.
 */
export function isCharacterDevice(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice();
  } catch {
    return false;
  }
}
