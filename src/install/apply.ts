// Runs an install plan against the image: files first, then enablement (systemctl --root, else the symlinks).
import type { Host } from '../host/host.js';
import { hasCode } from '../host/host.js';
import type { Logger } from '../log.js';
import type { Result } from '../plan/action.js';
import type { ImageFs } from '../host/host.js';
import type { InstallAction, WantedFile } from './plan.js';
import { describeInstallAction, isEnabledLink } from './plan.js';

const SYSTEMCTL_TIMEOUT_MS = 60_000;

export interface InstallDeps {
  fs: ImageFs;
  exec: Host['exec'];
  log: Logger;
}

/** Runs every action in order, one Result per action; a failure never stops the others, only the enablement of a unit whose file failed. */
export async function applyInstall(deps: InstallDeps, actions: readonly InstallAction[], files: readonly WantedFile[]): Promise<Result[]> {
  const contents = new Map(files.map((file) => [file.path, file.content]));
  const failedPaths = new Set<string>();
  const results: Result[] = [];
  for (const action of actions) {
    deps.log.info(action.target, describeInstallAction(action, deps.fs.root));
    try {
      if (action.op === 'file') await deps.fs.write(action.path, contents.get(action.path)!, action.mode);
      else if (action.op === 'chmod') await deps.fs.chmod(action.path, action.mode);
      else if (action.links.some((link) => failedPaths.has(link.value))) throw new Error(`not enabled: ${action.links[0]!.value} could not be installed`);
      else await enable(deps, action);
      results.push({ target: action.target, ok: true, changed: true });
    } catch (error) {
      if (action.op !== 'enable') failedPaths.add(action.path);
      const message = (error as Error).message;
      deps.log.error(action.target, `${describeInstallAction(action, deps.fs.root)} failed: ${message}`);
      results.push({ target: action.target, ok: false, changed: false, error: message });
    }
  }
  return results;
}

/** systemctl when the image builder has it (it knows Alias=, Also= and presets); the [Install] symlinks ourselves otherwise. */
async function enable(deps: InstallDeps, action: Extract<InstallAction, { op: 'enable' }>): Promise<void> {
  const run = await deps.exec('systemctl', ['--root', deps.fs.root, 'enable', action.unit], { timeoutMs: SYSTEMCTL_TIMEOUT_MS }).catch((error: unknown) => {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  });
  if (run === undefined) {
    deps.log.info(action.target, 'systemctl not found: creating the [Install] symlinks directly');
    for (const link of action.links) await deps.fs.symlink(link.value, link.path);
    return;
  }
  if (run.exitCode !== 0) throw new Error(`systemctl enable exited ${run.exitCode}: ${run.stderr.trim() || run.stdout.trim()}`);
  if (run.stderr.trim()) deps.log.debug(action.target, `systemctl: ${run.stderr.trim().replace(/\n/g, ' / ')}`);
  // Trust, but verify: an old or foreign systemctl could succeed without making what systemd reads.
  for (const link of action.links) {
    if (!isEnabledLink(await deps.fs.lstat(link.path), action.unit)) throw new Error(`systemctl enable exited 0 but ${link.path} is not a link to ${link.value}`);
  }
}
