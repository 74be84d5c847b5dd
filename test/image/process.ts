// Runs one program with an argument array (never a shell) for the image test, and says what went wrong.
import { spawn } from 'node:child_process';

/** The system directories, in Debian's order; the builder's PATH (node_modules/.bin …) never reaches the image. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Ran {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The whole environment of the child (default: hostEnv()). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (default: nothing, an immediate end of file). */
  input?: string | Buffer;
}

/** A small, fixed environment for host tools: system PATH, C locale, and the builder's proxy settings. */
export function hostEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const proxies = Object.fromEntries(Object.entries(process.env).filter(([name]) => /^(https?|no)_proxy$/i.test(name)));
  return { PATH: SYSTEM_PATH, LC_ALL: 'C', ...proxies, ...extra };
}

/** Spawns `file args…`, resolves with its exit and output (killed with SIGKILL after timeoutMs). */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<Ran> {
  const command = [file, ...args].map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word))).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? hostEnv(), cwd: options.cwd ?? '/', stdio: ['pipe', 'pipe', 'pipe'] });
    // Closed at once: a child that reads stdin sees the input, or end of file, never the test's terminal.
    // EPIPE (the child exited without reading it) is not the error to report: its exit status is.
    child.stdin.on('error', () => undefined).end(options.input ?? '');
    let stdout = '';
    let stderr = '';
    // Decoded as a stream: a UTF-8 character split across two chunks stays whole.
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command}: cannot run ${file}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ command, code, signal, stdout, stderr });
    });
  });
}

/** Like run, but a non-zero exit is an error that carries the command and its output. */
export async function mustRun(file: string, args: readonly string[], options: RunOptions = {}): Promise<Ran> {
  const ran = await run(file, args, options);
  if (ran.code !== 0) throw new Error(describeRun(ran));
  return ran;
}

/** The command, how it ended, and the tail of its output: what a failed assertion should show. */
export function describeRun(ran: Ran): string {
  const tail = (text: string) => (text.length > 6000 ? `…${text.slice(-6000)}` : text).trimEnd();
  const ended = ran.signal ? `killed by ${ran.signal}` : `exit ${ran.code}`;
  return [`${ran.command}: ${ended}`, ran.stdout && `--- stdout\n${tail(ran.stdout)}`, ran.stderr && `--- stderr\n${tail(ran.stderr)}`].filter(Boolean).join('\n');
}
