// The production bundle as a process on the FUSE model: one ModelServer and one mount per test file, a fresh
// machine per run (the server's kernel is replaced, the mounts stay), and the tools the sweeps need.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { SimKernelOptions } from '../sim/kernel.js';
import { SimKernel } from '../sim/kernel.js';
import { BUNDLE } from '../helpers/run-bundle.js';
import { ModelServer } from './model-server.js';
import type { ModelMount } from './mount.js';
import { mountModel } from './mount.js';
import { fuseUnavailable } from './native.js';

/** Why the FUSE tests skip on this machine, announced loudly once per file. */
export function fuseSkipReason(): string | undefined {
  const reason = fuseUnavailable();
  if (reason) {
    // Loud on purpose: a silently skipped file-system test would hide a regression.
    console.warn(`\n!!! SKIPPING the FUSE kernel-model tests: ${reason}. They need root, /dev/fuse, fuse3, gcc and libfuse3-dev.\n`);
  }
  return reason;
}

/** The bundle under test: dist/ by default; GBA_BUNDLE names another build (e.g. another branch's). */
const AGENT = process.env.GBA_BUNDLE ?? BUNDLE;

export interface AgentRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface FuseModel {
  server: ModelServer;
  mount: ModelMount;
  /** A fresh machine: a new kernel from `options`, an empty record, an empty /run. */
  boot(options: SimKernelOptions): SimKernel;
  /** Runs the production bundle with `--root` on the model; resolves when it has exited and the model is idle. */
  run(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<AgentRun>;
  /** The pid of the agent running now (the kill hook's target). */
  readonly pid: number | undefined;
}

/** Mounts the model before the file's tests and unmounts after; `skip` is fuseSkipReason()'s answer. */
export function useFuseModel(skip: string | undefined): FuseModel {
  let server: ModelServer | undefined;
  let mount: ModelMount | undefined;
  let pid: number | undefined;
  beforeAll(async () => {
    if (skip) return;
    if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run npm run build first`);
    server = new ModelServer(new SimKernel({ devices: [] }));
    mount = await mountModel(server);
  });
  afterAll(async () => {
    await mount?.close();
  });
  return {
    get server() {
      return server!;
    },
    get mount() {
      return mount!;
    },
    get pid() {
      return pid;
    },
    boot(options) {
      const kernel = new SimKernel(options);
      server!.kernel = kernel;
      server!.hooks = {};
      server!.resetRecord();
      mount!.clearRun();
      return kernel;
    },
    async run(args, env = {}) {
      const child = spawn(process.execPath, [AGENT, '--root', mount!.root, ...args], {
        env: { PATH: `${mount!.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      pid = child.pid;
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
        child.on('error', reject);
        child.on('close', (c, s) => resolve([c, s]));
      });
      pid = undefined;
      // A killed agent leaves requests the model is still answering (a sysfs store runs to its end too).
      await server!.idle();
      return { code, signal, stdout, stderr };
    },
  };
}
