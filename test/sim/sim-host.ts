// A Host (src/host/host.ts) over the simulated kernel: sysfs through the vfs, ordinary files in a memfs volume,
// the real clock, programs answered by the kernel's program models, no network. Tests hand it to the real CLI.
import { Volume } from 'memfs';
import { posix } from 'node:path';
import { realClock } from '../../src/host/clock.js';
import type { Clock, ExecResult, Host } from '../../src/host/host.js';
import { HostError } from '../../src/host/host.js';
import type { Fault } from './faults.js';
import type { SimKernel } from './kernel.js';
import type { ProgramModel } from './programs.js';
import { failedRun } from './programs.js';
import type { WriteRecord } from './vfs.js';
import { Vfs } from './vfs.js';

export type { Fault, ProgramModel, WriteRecord };

export interface SimHostOptions {
  /** Ordinary files present at start, e.g. `{ '/proc/cmdline': 'root=/dev/dasda1 …\n' }`. */
  files?: Record<string, string>;
  /** Programs answered before the kernel's own (a later model's `ip link set … vf …`). */
  programs?: readonly ProgramModel[];
  /** Files the operator names on the command line (`--vendor-data <path>`), by path as given; `-` is stdin. */
  inputs?: Record<string, string>;
}

export interface SimHost extends Host {
  /** The kernel's write journal (the same array; clearing it clears the kernel's). */
  readonly writes: WriteRecord[];
  /** Every program run, as [file, ...args]. */
  readonly execs: string[][];
  /** The ordinary files, to read back what the agent stored. */
  readonly volume: InstanceType<typeof Volume>;
  /** Kernel faults (see SimKernel.inject), plus per program (by name): op 'exec', it runs and fails with that errno
   * as the kernel's answer (ip: exit 2 "RTNETLINK answers: …"), changing nothing; op 'spawn', it cannot be started
   * (exec rejects with that errno). */
  inject(fault: Fault): void;
}

/** A Host over `kernel`. */
export function createSimHost(kernel: SimKernel, options?: SimHostOptions): SimHost;
/** A Host over a bare vfs and program models (what a scenario file's machine provides). */
export function createSimHost(vfs: Vfs, programs: readonly ProgramModel[], files?: Record<string, string>): SimHost;
export function createSimHost(first: SimKernel | Vfs, second?: SimHostOptions | readonly ProgramModel[], files?: Record<string, string>): SimHost {
  if (first instanceof Vfs) return assemble(first, (second as readonly ProgramModel[] | undefined) ?? [], files ?? {}, realClock);
  const options = (second as SimHostOptions | undefined) ?? {};
  return assemble(first.vfs, [...(options.programs ?? []), ...first.programs], options.files ?? {}, first.clock, options.inputs ?? {});
}

function assemble(vfs: Vfs, programs: readonly ProgramModel[], files: Record<string, string>, clock: Clock, inputs: Record<string, string> = {}): SimHost {
  const volume = Volume.fromJSON(files);
  const execs: string[][] = [];
  return {
    writes: vfs.writes,
    execs,
    volume,
    inject: (fault) => vfs.faults.inject(fault),
    clock,
    sysfs: {
      // sysfs attributes end in a newline; the host contract hands them over without it.
      read: async (path) => (await vfs.read(path)).replace(/\n$/, ''),
      readlink: (path) => vfs.readlink(path),
      list: (path) => vfs.list(path),
      exists: async (path) => vfs.exists(path),
      write: (path, value) => vfs.write(path, value),
    },
    files: memfsFiles(volume),
    async exec(file, args, options) {
      execs.push([file, ...args]);
      const name = posix.basename(file);
      const command = [file, ...args].join(' ');
      const unstartable = vfs.faults.take('spawn', [name, file]);
      if (unstartable) throw new HostError('exec', command, unstartable, 'injected');
      const failed = vfs.faults.take('exec', [name, file]);
      if (failed) return failedRun(name, args, failed);
      const run = (async (): Promise<ExecResult> => {
        for (const program of programs) {
          const result = await program(name, args);
          if (result) return result;
        }
        throw new HostError('exec', command, 'ENOENT', 'no such program in the simulation');
      })();
      return withTimeout(run, options.timeoutMs, clock, command);
    },
    http: {
      async get(url) {
        throw new HostError('http', url, 'ENETUNREACH', 'the simulated machine has no network');
      },
    },
    input: operatorInput(inputs),
  };
}

/** Operator-named files from a table, with the real implementation's errors (ENOENT, EFBIG past the cap). */
function operatorInput(inputs: Record<string, string>): Host['input'] {
  return {
    async read(path, maxBytes) {
      const name = path === '-' ? 'stdin' : path;
      const text = inputs[path];
      if (text === undefined) throw new HostError('read', name, 'ENOENT', 'not among the simulation\'s operator inputs');
      const bytes = new TextEncoder().encode(text);
      if (bytes.length > maxBytes) throw new HostError('read', name, 'EFBIG', `larger than ${maxBytes} bytes`);
      return bytes;
    },
  };
}

/** Ordinary files in memfs with the real implementation's contract (errors as HostError, atomic replace). */
function memfsFiles(volume: InstanceType<typeof Volume>): Host['files'] {
  const fs = volume.promises;
  const hostError = (op: string, path: string, error: unknown) =>
    new HostError(op, path, (error as NodeJS.ErrnoException).code ?? 'EIO', undefined, { cause: error });
  let temp = 0;
  return {
    async read(path) {
      try {
        return String(await fs.readFile(path, 'utf8'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw hostError('read', path, error);
      }
    },
    async writeAtomic(path, data, mode = 0o644) {
      const scratch = `${path}.tmp-${++temp}`;
      try {
        await fs.mkdir(posix.dirname(path), { recursive: true });
        await fs.writeFile(scratch, data, { mode });
        await fs.rename(scratch, path);
      } catch (error) {
        throw hostError('write', path, error);
      }
    },
    async makeTempDir(parent, prefix) {
      try {
        await fs.mkdir(parent, { recursive: true });
        const made = String(await fs.mkdtemp(`${parent.replace(/\/$/, '')}/${prefix}`));
        await fs.chmod(made, 0o700);
        return made;
      } catch (error) {
        throw hostError('mkdtemp', parent, error);
      }
    },
    async removeDir(path) {
      try {
        await fs.rmdir(path);
      } catch (error) {
        throw hostError('rmdir', path, error);
      }
    },
    hostPath: (path) => path,
  };
}

/** Rejects ETIMEDOUT when `run` takes longer than `ms` (the program's side effects, like a killed process's,
 * may still land). */
async function withTimeout<T>(run: Promise<T>, ms: number, clock: Clock, command: string): Promise<T> {
  const abort = new AbortController();
  const timeout = clock.sleep(ms, abort.signal).then(
    () => Promise.reject(new HostError('exec', command, 'ETIMEDOUT', `no exit after ${ms} ms`)),
    () => new Promise<never>(() => undefined),
  );
  try {
    return await Promise.race([run, timeout]);
  } finally {
    abort.abort();
  }
}
