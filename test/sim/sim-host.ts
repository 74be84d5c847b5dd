// A Host over the simulated kernel: sysfs through the model, ordinary files in memfs, programs the agent runs
// (modprobe, ip) answered by the model, real time for latency, and per-path fault injection.
import { Volume } from 'memfs';
import { dirname } from 'node:path/posix';
import { realClock } from '../../src/host/clock.js';
import type { ExecResult, Host } from '../../src/host/host.js';
import { HostError } from '../../src/host/host.js';
import type { QethKernel } from './qeth-kernel.js';
import type { SysfsTree } from './sysfs-tree.js';

/** One recorded write: what the agent asked the kernel, and the errno if it failed. */
export interface WriteRecord {
  path: string;
  value: string;
  errno?: string;
}

export interface Fault {
  /** A kernel path as the agent names it, or the program for op 'exec'. */
  path: string;
  op: 'read' | 'write' | 'exec';
  errno: string;
  /** How often it fires (default: always). */
  times?: number;
}

/** The programs the agent may run, answered by a model (qeth today; sriov adds `ip link … vf`). */
export type ProgramModel = (file: string, args: readonly string[]) => Promise<ExecResult | undefined>;

export interface SimHost extends Host {
  readonly writes: WriteRecord[];
  readonly execs: string[][];
  readonly volume: InstanceType<typeof Volume>;
  inject(fault: Fault): void;
}

/** A Host whose sysfs is `tree` and whose programs are answered by `programs` (first answer wins). */
export function createSimHost(tree: SysfsTree, programs: ProgramModel[], files: Record<string, string> = {}): SimHost {
  const volume = Volume.fromJSON(files);
  const faults: Fault[] = [];
  const writes: WriteRecord[] = [];
  const execs: string[][] = [];
  const fault = (path: string, op: Fault['op']) => {
    const found = faults.find((f) => f.path === path && f.op === op && (f.times ?? Infinity) > 0);
    if (!found) return undefined;
    if (found.times !== undefined) found.times--;
    return new HostError(op, path, found.errno, 'injected');
  };
  const nodeError = (op: string, path: string, error: unknown) =>
    error instanceof HostError ? new HostError(op, path, error.code, error.message) : error;
  const attr = (path: string) => {
    const node = tree.node(path);
    if (node.kind === 'dir') throw new HostError('read', path, 'EISDIR');
    if (node.kind !== 'attr') throw new HostError('read', path, 'EINVAL');
    return node;
  };
  let tempCounter = 0;
  return {
    writes,
    execs,
    volume,
    inject: (f) => faults.push(f),
    clock: realClock,
    sysfs: {
      async read(path) {
        const injected = fault(path, 'read');
        if (injected) throw injected;
        try {
          const node = attr(path);
          if (!node.read) throw new HostError('read', path, 'EACCES');
          return (await node.read()).replace(/\n$/, '');
        } catch (error) {
          throw nodeError('read', path, error);
        }
      },
      async readlink(path) {
        try {
          const node = tree.node(path, false);
          if (node.kind !== 'link') throw new HostError('readlink', path, 'EINVAL');
          return node.target;
        } catch (error) {
          throw nodeError('readlink', path, error);
        }
      },
      async list(path) {
        try {
          const node = tree.node(path);
          if (node.kind !== 'dir') throw new HostError('list', path, 'ENOTDIR');
          return [...node.children.keys()].sort();
        } catch (error) {
          throw nodeError('list', path, error);
        }
      },
      async exists(path) {
        return tree.exists(path);
      },
      async write(path, value) {
        const record: WriteRecord = { path, value };
        writes.push(record);
        try {
          const injected = fault(path, 'write');
          if (injected) throw injected;
          const node = attr(path);
          if (!node.write) throw new HostError('write', path, 'EACCES');
          await node.write(value);
        } catch (error) {
          record.errno = error instanceof HostError ? error.code : 'EIO';
          throw nodeError('write', path, error);
        }
      },
    },
    files: {
      async read(path) {
        try {
          return String(await volume.promises.readFile(path, 'utf8'));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        }
      },
      async writeAtomic(path, data, mode = 0o644) {
        await volume.promises.mkdir(dirname(path), { recursive: true });
        await volume.promises.writeFile(`${path}.tmp`, data, { mode });
        await volume.promises.rename(`${path}.tmp`, path);
      },
      async makeTempDir(parent, prefix) {
        const path = `${parent}/${prefix}${String(++tempCounter).padStart(6, '0')}`;
        await volume.promises.mkdir(path, { recursive: true, mode: 0o700 });
        return path;
      },
      async removeDir(path) {
        await volume.promises.rmdir(path);
      },
      hostPath: (path) => path,
    },
    async exec(file, args) {
      execs.push([file, ...args]);
      const injected = fault(file, 'exec');
      if (injected) return { exitCode: 2, stdout: '', stderr: `RTNETLINK answers: ${injected.code} (injected)` };
      for (const program of programs) {
        const result = await program(file, args);
        if (result) return result;
      }
      throw new HostError('exec', [file, ...args].join(' '), 'ENOENT', 'not simulated');
    },
    http: {
      async get(url) {
        throw new HostError('http', url, 'ENETUNREACH', 'the simulated machine has no network');
      },
    },
    input: {
      async read(path) {
        throw new HostError('read', path, 'ENOENT', 'no operator input in the simulation');
      },
    },
  };
}

/** The programs of the qeth model: `modprobe …` and `ip link set dev <if> address <mac>`. */
export function qethPrograms(kernel: QethKernel): ProgramModel {
  return async (file, args) => {
    if (file === 'modprobe') return { stdout: '', ...(await kernel.modprobe(args)) };
    if (file === 'ip' && args[0] === 'link' && args[1] === 'set' && args[2] === 'dev' && args[4] === 'address' && args.length === 6) {
      return { stdout: '', ...kernel.setMac(args[3]!, args[5]!) };
    }
    return undefined;
  };
}
