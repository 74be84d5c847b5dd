// Runs the built bundle as a real process (optionally wrapped, e.g. by `ip netns exec`).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLE = join(__dirname, '../../dist/guest-boot-agent.js');

export interface BundleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `[...prefix, node, bundle, ...args]` with no shell; resolves when it exits. */
export function runBundle(args: readonly string[], options: { prefix?: string[]; env?: NodeJS.ProcessEnv; input?: string; bundle?: string } = {}): Promise<BundleRun> {
  const bundle = options.bundle ?? BUNDLE;
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first (npm test does)`);
  const argv = [...(options.prefix ?? []), process.execPath, bundle, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
