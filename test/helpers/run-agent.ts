// Runs the real CLI (runMain) in-process against a given Host, capturing stdout, stderr and the exit code.
import { runMain } from '../../src/cli/run-main.js';
import type { Host } from '../../src/host/host.js';

export interface AgentRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stderr split into lines. */
  lines: string[];
  elapsedMs: number;
}

/** `guest-boot-agent ...args` with journald-style logging (as under systemd). */
export async function runAgent(host: Host, args: readonly string[]): Promise<AgentRun> {
  let stdout = '';
  let stderr = '';
  const started = performance.now();
  const code = await runMain(['node', 'guest-boot-agent', ...args], {
    createHost: () => host,
    env: { JOURNAL_STREAM: '8:1' },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stderrIsTty: false,
  });
  return { code, stdout, stderr, lines: stderr.split('\n').filter(Boolean), elapsedMs: performance.now() - started };
}
