// Runs one DIB phase the way disk-image-create does: extra-data.d on the build host (run_d), the in-target
// phases in `chroot <root>` with the hooks bound read-only at /tmp/in_target.d (run_d_in_target).
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { environmentFiles, runPartsOrder } from './dib-elements.js';
import { bindReadOnly, mountsUnder, unmount } from './mounts.js';
import { describeRun, hostEnv, mustRun, run, SYSTEM_PATH } from './process.js';

/** Where the chroot sees $TMP_HOOKS_PATH during install.d, post-install.d …. */
export const IN_TARGET = '/tmp/in_target.d';

export interface Build {
  /** $TMP_MOUNT_PATH: the image root. */
  root: string;
  /** $TMP_HOOKS_PATH: the merged elements. */
  hooks: string;
  /** The DIB_* settings of the build (disk-image-create passes the builder's environment with sudo -E). */
  settings: NodeJS.ProcessEnv;
}

export interface ScriptRun {
  /** e.g. install.d/50-guest-boot-agent */
  script: string;
  output: string;
}

/**
 * dib-run-parts sources the environment.d files (set -eu, in sort -n order) and every script inherits what
 * they export. They are shell, so only bash can source them: it runs this fixed, committed helper, which
 * takes the file names as arguments (data, never code) and prints the resulting environment with env -0.
 */
const SOURCE_ENVIRONMENT = join(__dirname, 'source-environment.bash');
/** What bash itself adds to the environment: not the elements' doing. */
const SHELL_OWN = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);

/** run_d: a phase outside the chroot, e.g. extra-data.d, with TMP_HOOKS_PATH and TMP_MOUNT_PATH set. */
export async function runPhaseOnHost(build: Build, phase: string): Promise<ScriptRun[]> {
  const dir = join(build.hooks, `${phase}.d`);
  if (!existsSync(dir)) return [];
  const base = hostEnv({ HOME: '/root', TMP_HOOKS_PATH: build.hooks, TMP_MOUNT_PATH: build.root, ...build.settings });
  const env = await sourceEnvironment(undefined, join(build.hooks, 'environment.d'), base);
  const runs: ScriptRun[] = [];
  for (const name of runPartsOrder(dir)) runs.push(await runScript(`${phase}.d/${name}`, join(dir, name), [], env, build.hooks));
  return runs;
}

/** run_d_in_target: the hooks bound read-only at /tmp/in_target.d, the phase's scripts run by `chroot <root>`. */
export async function runPhaseInTarget(build: Build, phase: string): Promise<ScriptRun[]> {
  if (!existsSync(join(build.hooks, `${phase}.d`))) return [];
  const mountPoint = join(build.root, IN_TARGET);
  // Not recursive: like DIB's mkdir, a leftover from an earlier phase is an error.
  mkdirSync(mountPoint);
  try {
    await bindReadOnly(build.hooks, mountPoint);
    const base = { PATH: SYSTEM_PATH, HOME: '/root', TMP_HOOKS_PATH: build.hooks, TMP_MOUNT_PATH: build.root, ...build.settings };
    const env = await sourceEnvironment(build.root, join(mountPoint, 'environment.d'), base, `${IN_TARGET}/environment.d`);
    const runs: ScriptRun[] = [];
    for (const name of runPartsOrder(join(mountPoint, `${phase}.d`))) {
      runs.push(await runScript(`${phase}.d/${name}`, `${IN_TARGET}/${phase}.d/${name}`, ['chroot', build.root], env, '/'));
    }
    return runs;
  } finally {
    if (mountsUnder(mountPoint).length > 0) await unmount(mountPoint);
    rmdirSync(mountPoint);
  }
}

/**
 * The environment the phase's scripts get: `base` plus what environment.d exports. On the host, bash runs
 * the helper file; in the chroot, which cannot see it, the image's bash reads the same file on stdin.
 */
async function sourceEnvironment(chroot: string | undefined, hostDir: string, base: NodeJS.ProcessEnv, visibleDir = hostDir): Promise<NodeJS.ProcessEnv> {
  const files = environmentFiles(hostDir).map((name) => join(visibleDir, name));
  if (files.length === 0) return base;
  const ran = chroot
    ? await mustRun('chroot', [chroot, '/bin/bash', '-s', '--', ...files], { env: base, input: readFileSync(SOURCE_ENVIRONMENT) })
    : await mustRun('/bin/bash', [SOURCE_ENVIRONMENT, ...files], { env: base });
  const pairs = ran.stdout.split('\0').filter(Boolean).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as const);
  return Object.fromEntries(pairs.filter(([name]) => !SHELL_OWN.has(name)));
}

/**
 * One phase script, executed directly as dib-run-parts does (its #!/bin/bash line picks the interpreter, so
 * a lost executable bit or a wrong #! fails here as it would in DIB); an argument array, no shell string.
 * A failure stops the build, as in DIB.
 */
async function runScript(script: string, path: string, prefix: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<ScriptRun> {
  const argv = [...prefix, path];
  const ran = await run(argv[0]!, argv.slice(1), { env, cwd, timeoutMs: 300_000 });
  if (ran.code !== 0) throw new Error(`${script} failed, the build stops here:\n${describeRun(ran)}`);
  return { script, output: `${ran.stdout}${ran.stderr}` };
}
