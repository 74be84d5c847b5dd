// The one door to other programs: execa with an argument array, never a shell.
import { constants, promises as fs } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { ExecaError } from 'execa';
import { UsageError } from '../errors.js';
import type { Deadline } from '../lib/deadline.js';
import type { ExecOptions, ExecResult, Host } from './host.js';
import { HostError } from './host.js';

/** Where modprobe and ip live on every distro, even when PATH (e.g. under udev) lacks them. */
const SYSTEM_PATHS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** Programs that act on the live machine whatever --root says: its links, its modules, its mounts, its disks. */
const LIVE_HOST_PROGRAMS = new Set(['ip', 'modprobe', 'mount', 'umount', 'blkid']);

/** A program the agent refused to run because it would change the live host during a run on another root (exit 2). */
export class LiveHostProgramRefused extends UsageError {
  override name = 'LiveHostProgramRefused';
}

/** The live system's program directories: the system paths and anything under /usr/local. */
function isLiveSystemDir(dir: string): boolean {
  return SYSTEM_PATHS.includes(dir) || dir === '/usr/local' || dir.startsWith('/usr/local/');
}

/** PATH with the system directories appended once. */
export function searchPath(current: string | undefined): string {
  const parts = (current ?? '').split(':').filter(Boolean);
  return [...parts, ...SYSTEM_PATHS.filter((dir) => !parts.includes(dir))].join(':');
}

/** The exec of a Host rooted at `root`: see `execFile` for "/" and `execFileOffHost` for any other root. */
export function createExec(root: string, path: string | undefined = process.env.PATH): (file: string, args: readonly string[], options: ExecOptions) => Promise<ExecResult> {
  if (resolve(root) === '/') return (file, args, options) => execFile(file, args, options, searchPath(path));
  return async (file, args, options) => execFile(await resolveOffHost(file, path), args, options, path ?? '');
}

/**
 * DESIGN §2: a run on another root must never change the live host. PATH is taken as given (no system
 * directories appended), and `ip`, `modprobe`, `mount`, `umount` and `blkid` found in the live system's
 * directories are refused; the same name elsewhere on PATH (a test's or a chroot's stand-in) runs. The check is
 * on the real path of the file found, so a link from a stand-in directory to /usr/sbin/ip is refused too.
 */
async function resolveOffHost(file: string, path: string | undefined): Promise<string> {
  const found = await findOnPath(file, path);
  if (found === undefined || !LIVE_HOST_PROGRAMS.has(file.split('/').at(-1)!)) return found ?? file;
  const real = await fs.realpath(found).catch(() => found);
  const dirs = [found, real].map((candidate) => candidate.slice(0, candidate.lastIndexOf('/')) || '/');
  if (dirs.some(isLiveSystemDir)) {
    throw new LiveHostProgramRefused(
      `refusing to run ${file} (${found === real ? found : `${found} → ${real}`}): it would act on this live machine, not on --root; with a root other than / put a stand-in for ${file} on PATH or use --dry-run`,
    );
  }
  return found;
}

/** The first executable regular file named `file` on `path` (or `file` itself when it has a slash). */
async function findOnPath(file: string, path: string | undefined): Promise<string | undefined> {
  const candidates = file.includes('/') ? [resolve(file)] : (path ?? '').split(delimiter).filter(Boolean).map((dir) => join(isAbsolute(dir) ? dir : resolve(dir), file));
  for (const candidate of candidates) {
    const executable = await fs.access(candidate, constants.X_OK).then(() => fs.stat(candidate)).then((stat) => stat.isFile(), () => false);
    if (executable) return candidate;
  }
  return undefined;
}

/** Runs `file args…` with `PATH=path`; resolves for any exit code, rejects HostError ENOENT / ETIMEDOUT / EEXEC. */
export async function execFile(file: string, args: readonly string[], options: ExecOptions, path = searchPath(process.env.PATH)): Promise<ExecResult> {
  // Loaded on first use: most runs (show, --version, dry-run) never start a program.
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    shell: false,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs,
    env: { PATH: path, LC_ALL: 'C' },
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
