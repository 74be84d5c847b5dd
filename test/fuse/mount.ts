// A root directory for `guest-boot-agent --root <dir>` whose /sys and /proc are the kernel model, mounted through
// FUSE (one gba-fuse process per mount, both answered by one ModelServer), whose /run is a tmpfs as on every
// systemd machine (the agent's records are written with fsync: on a disk that costs a journal commit a real boot
// does not pay), and a bin directory with the fake `ip` and `modprobe` to put first on PATH.
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelServer } from './model-server.js';
import { nativeBinaries } from './native.js';

export interface ModelMount {
  /** Give the agent `--root <root>`. */
  root: string;
  /** Put first on the agent's PATH: `ip` and `modprobe` acting on the model. */
  binDir: string;
  /** Empties <root>/run (the agent's records) for a fresh machine. */
  clearRun(): void;
  /** Unmounts both file systems and removes the directories. */
  close(): Promise<void>;
}

const MOUNTED = ['sys', 'proc'] as const;

/** Mounts `server`'s model under a new temporary root. Rejects (with gba-fuse's message) when mounting fails. */
export async function mountModel(server: ModelServer, options: { repo?: string } = {}): Promise<ModelMount> {
  const binaries = nativeBinaries(options.repo);
  const base = mkdtempSync(join(tmpdir(), 'gba-fuse-'));
  const root = join(base, 'root');
  const binDir = join(base, 'bin');
  for (const dir of [binDir, join(root, 'run'), ...MOUNTED.map((name) => join(root, name))]) mkdirSync(dir, { recursive: true });
  for (const name of ['ip', 'modprobe']) {
    copyFileSync(binaries.program, join(binDir, name));
    chmodSync(join(binDir, name), 0o755);
  }
  const socket = join(binDir, 'model.sock');
  await server.listen(socket);
  const servers: ChildProcess[] = [];
  const run = join(root, 'run');
  const close = async () => {
    await Promise.all(servers.map((child) => stop(child)));
    for (const name of MOUNTED) lazyUnmount(join(root, name));
    lazyUnmount(run);
    await server.close();
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const tmpfs = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0755', 'gba-run', run], { encoding: 'utf8' });
    if (tmpfs.status !== 0) throw new Error(`mount -t tmpfs … ${run}: ${tmpfs.stderr.trim() || `exit ${tmpfs.status}`}`);
    for (const name of MOUNTED) servers.push(await startServer(binaries.server, join(root, name), `/${name}`, socket));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    root,
    binDir,
    clearRun: () => {
      for (const name of readdirSync(run)) rmSync(join(run, name), { recursive: true, force: true });
    },
    close,
  };
}

function startServer(binary: string, mountpoint: string, prefix: string, socket: string): Promise<ChildProcess> {
  const child = spawn(binary, [mountpoint, prefix, socket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`gba-fuse ${mountpoint} exited ${code}: ${stderr.trim()}`)));
  });
}

/** SIGTERM makes gba-fuse leave its loop and unmount. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A server that died leaves "Transport endpoint is not connected" behind; detach it so the directory can go. */
function lazyUnmount(mountpoint: string): void {
  if (readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mountpoint} `)) spawnSync('umount', ['-l', mountpoint]);
}
