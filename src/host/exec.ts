// The one door to other programs: execa with an argument array, never a shell.
import type { ExecaError } from 'execa';
import type { Deadline } from '../lib/deadline.js';
import type { ExecOptions, ExecResult, Host } from './host.js';
import { HostError } from './host.js';

/** Where modprobe and ip live on every distro, even when PATH (e.g. under udev) lacks them. */
const SYSTEM_PATHS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** PATH with the system directories appended once. */
export function searchPath(current: string | undefined): string {
  const parts = (current ?? '').split(':').filter(Boolean);
  return [...parts, ...SYSTEM_PATHS.filter((dir) => !parts.includes(dir))].join(':');
}

/** Runs `file args…`; resolves for any exit code, rejects HostError ENOENT / ETIMEDOUT / EEXEC. */
export async function execFile(file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  // Loaded on first use: most runs (show, --version, dry-run) never start a program.
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    shell: false,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs,
    env: { PATH: searchPath(process.env.PATH), LC_ALL: 'C' },
    stripFinalNewline: true,
  });
  const command = [file, ...args].join(' ');
  // Only execa's timeout ever kills the child, yet under load execa 8 can report the kill with timedOut unset.
  if (result.timedOut || result.killed) throw new HostError('exec', command, 'ETIMEDOUT', `after ${options.timeoutMs} ms`);
  if (typeof result.exitCode !== 'number') {
    // The program never ran: with reject: false, execa 8 hands back the spawn error itself, errno code included.
    const failure = result as unknown as Partial<ExecaError> & { code?: string };
    throw new HostError('exec', command, failure.code ?? 'EEXEC', failure.shortMessage, { cause: result });
  }
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** `exec` with every program call's timeout cut to what is left of the run's deadline; none starts once it passed
 * (execa reads a timeout of 0 as "none", so that case must never reach it). */
export function execWithinDeadline(exec: Host['exec'], deadline: Deadline): Host['exec'] {
  return async (file, args, options) => {
    const timeoutMs = deadline.bound(options.timeoutMs);
    if (timeoutMs <= 0) throw new HostError('exec', [file, ...args].join(' '), 'ETIMEDOUT', 'the run deadline has passed');
    return exec(file, args, { timeoutMs });
  };
}
