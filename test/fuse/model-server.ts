// The simulated kernel of test/sim answering a real file system: gba-fuse (native/gba-fuse.c) forwards each FUSE
// request, and the fake `ip`/`modprobe` (native/gba-program.c) each program run, over one unix socket to this
// server, which runs them on the model and answers when the model is done. A write the model holds for 0.3 s is
// answered 0.3 s later; meanwhile other requests proceed, each on its own connection.
//
// The server keeps its own record of every mutating step (attribute writes and program runs) with its start and
// end, so tests assert on what the model saw (e.g. how many `online` writes were in flight at once), and hooks let
// a test fail a step once or SIGKILL the agent right after a step took effect.
import { rmSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { posix } from 'node:path';
import type { ExecResult } from '../../src/host/host.js';
import { HostError } from '../../src/host/host.js';
import type { SimKernel } from '../sim/kernel.js';
import { failedRun } from '../sim/programs.js';

/** One mutating step the model served: an attribute write, or a program run (`ip …`, `modprobe …`). */
export interface Step {
  /** 1-based, in arrival order. */
  index: number;
  kind: 'write' | 'exec';
  /** The physical model path written, or the program's command line. */
  target: string;
  /** The bytes written (writes only). */
  value?: string;
  start: number;
  end?: number;
  /** The errno a write failed with; for a program run, its exit code when not 0. */
  errno?: string;
  exitCode?: number;
}

export interface ServerHooks {
  /** An errno to fail this step with instead of doing it (once; the model changes nothing). */
  failStep?: (step: Step) => string | undefined;
  /** Runs when a step's effect is in the model, before the caller gets the answer (e.g. SIGKILL the agent). */
  afterStep?: (step: Step) => void;
}

const ERRNO = constants.errno as Record<string, number>;
const errnoNumber = (code: string) => ERRNO[code] ?? ERRNO.EIO!;
const codeOf = (error: unknown): string => {
  if (error instanceof HostError) return error.code;
  throw error;
};

export class ModelServer {
  /** The model answering; replace it between runs for a fresh machine (the mounts stay). */
  kernel: SimKernel;
  hooks: ServerHooks = {};
  steps: Step[] = [];
  /** The largest number of attribute writes in flight at once, overall and per path. */
  maxWritesInFlight = 0;
  readonly maxInFlightByPath = new Map<string, number>();
  private readonly inFlightByPath = new Map<string, number>();
  private inFlight = 0;
  private pending = new Set<Promise<unknown>>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(kernel: SimKernel) {
    this.kernel = kernel;
  }

  /** Starts answering on `socketPath`. */
  async listen(socketPath: string): Promise<void> {
    rmSync(socketPath, { force: true });
    this.server = createServer((socket) => this.connection(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(socketPath, resolve);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Forgets the record (steps, in-flight maxima) for the next run. */
  resetRecord(): void {
    this.steps = [];
    this.maxWritesInFlight = 0;
    this.maxInFlightByPath.clear();
  }

  /** Resolves when no request is being answered and the kernel has no asynchronous work pending. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.kernel.idle();
  }

  /** The most writes to paths matching `test` that were in flight at the same time, from the step record. */
  maxConcurrent(test: (step: Step) => boolean): number {
    const edges = this.steps
      .filter((step) => step.kind === 'write' && test(step))
      .flatMap((step) => [
        { at: step.start, delta: 1 },
        { at: step.end ?? Number.POSITIVE_INFINITY, delta: -1 },
      ])
      .sort((a, b) => a.at - b.at || a.delta - b.delta);
    let now = 0;
    let max = 0;
    for (const edge of edges) max = Math.max(max, (now += edge.delta));
    return max;
  }

  // ---- the wire: u32 length, op byte, path \0 data → u32 length, i32 errno, payload ------------------------------
  private connection(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readUInt32LE(0)) {
        const frame = buffer.subarray(4, 4 + buffer.readUInt32LE(0));
        buffer = buffer.subarray(4 + frame.length);
        const answer = this.answer(frame).then(
          ({ errno, payload }) => {
            const head = Buffer.alloc(8);
            head.writeUInt32LE(4 + payload.length, 0);
            head.writeInt32LE(errno, 4);
            if (!socket.destroyed) socket.write(Buffer.concat([head, payload]));
          },
          (error: unknown) => {
            console.error('fuse model: request failed inside the model:', error);
            socket.destroy();
          },
        );
        this.pending.add(answer);
        void answer.finally(() => this.pending.delete(answer));
      }
    });
  }

  private async answer(frame: Buffer): Promise<{ errno: number; payload: Buffer }> {
    const op = String.fromCharCode(frame[0]!);
    const body = frame.subarray(1);
    const nul = body.indexOf(0);
    const path = body.subarray(0, nul < 0 ? body.length : nul).toString('utf8');
    const data = nul < 0 ? Buffer.alloc(0) : body.subarray(nul + 1);
    const ok = (payload: string | Buffer = '') => ({ errno: 0, payload: Buffer.from(payload) });
    const fail = (code: string) => ({ errno: errnoNumber(code), payload: Buffer.alloc(0) });
    const vfs = this.kernel.vfs;
    try {
      switch (op) {
        case 'A': {
          const stat = this.lstatOrEmptyRoot(path);
          if (stat.kind === 'attr') return ok(`f${stat.readable ? 'r' : '-'}${stat.writable ? 'w' : '-'}`);
          return ok(stat.kind === 'dir' ? 'd' : 'l');
        }
        case 'D':
          return ok(this.isMissingRoot(path) ? '' : (await vfs.list(path)).map((name) => `${name}\0`).join(''));
        case 'L':
          return ok(await vfs.readlink(path));
        case 'O': {
          const stat = vfs.lstat(path);
          const mode = Number(data.toString());
          if (stat.kind === 'dir') return mode === 0 ? ok() : fail('EISDIR');
          if (stat.kind !== 'attr') return fail('ELOOP');
          if ((mode === 0 || mode === 2) && !stat.readable) return fail('EACCES');
          if ((mode === 1 || mode === 2) && !stat.writable) return fail('EACCES');
          return ok();
        }
        case 'R':
          return ok(await vfs.read(path));
        case 'W':
          return await this.write(path, data.toString('utf8'));
        case 'X':
          return ok(await this.exec(body.toString('utf8').split('\0').slice(0, -1)));
        default:
          return fail('ENOSYS');
      }
    } catch (error) {
      return fail(codeOf(error));
    }
  }

  private async write(path: string, value: string): Promise<{ errno: number; payload: Buffer }> {
    const step = this.begin({ kind: 'write', target: path, value });
    this.inFlight++;
    this.inFlightByPath.set(path, (this.inFlightByPath.get(path) ?? 0) + 1);
    this.maxWritesInFlight = Math.max(this.maxWritesInFlight, this.inFlight);
    this.maxInFlightByPath.set(path, Math.max(this.maxInFlightByPath.get(path) ?? 0, this.inFlightByPath.get(path)!));
    try {
      const injected = this.hooks.failStep?.(step);
      if (injected) this.injectOnce(path, injected);
      await this.kernel.vfs.write(path, value);
    } catch (error) {
      step.errno = codeOf(error);
    } finally {
      this.inFlight--;
      this.inFlightByPath.set(path, this.inFlightByPath.get(path)! - 1);
    }
    step.end = performance.now();
    this.hooks.afterStep?.(step);
    return { errno: step.errno ? errnoNumber(step.errno) : 0, payload: Buffer.alloc(0) };
  }

  /** An injected failure as the kernel would produce it: an `online` write reaches hardsetup, which fails after its
   * latency (the model's 'online' fault); any other write fails at the attribute. */
  private injectOnce(path: string, errno: string): void {
    if (posix.basename(path) === 'online' && path.startsWith('/sys/devices/qeth/')) {
      this.kernel.inject({ op: 'online', path: posix.basename(posix.dirname(path)), errno, times: 1 });
    } else {
      this.kernel.inject({ op: 'write', path, errno, times: 1 });
    }
  }

  /** `[name, ...args]` run by the kernel's program models; answered as `exit code \0 stdout \0 stderr`. */
  private async exec(argv: string[]): Promise<string> {
    const [name = '', ...args] = argv;
    const step = this.begin({ kind: 'exec', target: argv.join(' ') });
    const injected = this.hooks.failStep?.(step);
    let result: ExecResult;
    if (injected) {
      result = failedRun(name, args, injected);
    } else {
      const failed = this.kernel.vfs.faults.take('exec', [name]);
      result = failed ? failedRun(name, args, failed) : await this.runProgram(name, args);
    }
    step.end = performance.now();
    if (result.exitCode !== 0) step.exitCode = result.exitCode;
    this.hooks.afterStep?.(step);
    return `${result.exitCode}\0${result.stdout}\0${result.stderr}`;
  }

  private async runProgram(name: string, args: string[]): Promise<ExecResult> {
    for (const program of this.kernel.programs) {
      const result = await program(name, args);
      if (result) return result;
    }
    return { exitCode: 127, stdout: '', stderr: `${name}: not a program of the simulated machine\n` };
  }

  private begin(fields: Omit<Step, 'index' | 'start'>): Step {
    const step: Step = { index: this.steps.length + 1, start: performance.now(), ...fields };
    this.steps.push(step);
    return step;
  }

  /** A mount's root (`/sys`, `/proc`) is a directory even on a machine whose model has nothing under it. */
  private isMissingRoot(path: string): boolean {
    return !path.slice(1).includes('/') && !this.kernel.vfs.exists(path);
  }

  private lstatOrEmptyRoot(path: string) {
    return this.isMissingRoot(path) ? ({ kind: 'dir' } as const) : this.kernel.vfs.lstat(path);
  }
}
