// Runs the real CLI (runMain) in-process against a given Host, capturing stdout, stderr and the exit code.
import { runMain } from '../../src/cli/run-main.js';
import type { Host } from '../../src/host/host.js';
import type { ImageFs } from '../../src/host/host.js';

export interface AgentRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stderr split into lines. */
  lines: string[];
  elapsedMs: number;
}

export interface AgentDeps {
  /** The image tree for `install` (memfs in tests); without it, install fails loudly instead of touching the real disk. */
  createImageFs?: (root: string) => ImageFs;
  bundlePath?: string;
}

/** `guest-boot-agent ...args` with journald-style logging (as under systemd). */
export async function runAgent(host: Host, args: readonly string[], deps: AgentDeps = {}): Promise<AgentRun> {
  let stdout = '';
  let stderr = '';
  const started = performance.now();
  const code = await runMain(['node', 'guest-boot-agent', ...args], {
    createHost: () => host,
    createImageFs:
      deps.createImageFs ??
      (() => {
        throw new Error('runAgent: pass createImageFs to run install');
      }),
    bundlePath: deps.bundlePath,
    env: { JOURNAL_STREAM: '8:1' },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stderrIsTty: false,
  });
  return { code, stdout, stderr, lines: stderr.split('\n').filter(Boolean), elapsedMs: performance.now() - started };
}
