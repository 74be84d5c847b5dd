// Runs one QEMU machine to its end (the guest powers off), with a hard deadline, keeping its serial output in files.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostEnv } from '../../image/process.js';

export interface QemuRun {
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** QEMU's own stdout and stderr (its warnings; the guest's serial ports go to files). */
  output: string;
  timedOut: boolean;
  seconds: number;
}

/** Spawns QEMU (no shell) and waits for it to exit; SIGKILL after `timeoutMs`. */
export function runQemu(binary: string, args: readonly string[], timeoutMs: number): Promise<QemuRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: hostEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    // A test run that is interrupted must not leave a machine running.
    const killMachine = () => child.kill('SIGKILL');
    process.once('exit', killMachine);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${binary}: cannot run: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', killMachine);
      resolve({ argv: [binary, ...args], code, signal, output, timedOut, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** A file's text, or a note that it is not there (a machine that died before writing it). */
export function readOrNote(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    return `(cannot read ${path}: ${(error as Error).message})`;
  }
}

/** The last `max` characters of a text, marked as cut. */
export function tail(text: string, max: number): string {
  return text.length > max ? `…(${text.length - max} characters before)\n${text.slice(-max)}` : text;
}

/** An argv as a copy-and-paste command line (words quoted only where a shell needs it). */
export function commandLine(argv: readonly string[]): string {
  return argv.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}
