// One image build of the test matrix: a fresh copy of a release's pristine root, the elements merged into a hooks
// directory, and the phases run the way disk-image-create runs them. Shared by the per-release test files.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebianRelease } from './debian-root.js';
import { ensurePristineRoot, extractRoot, isAlive } from './debian-root.js';
import { expandElements, generateHooks } from './dib-elements.js';
import type { Build, ScriptRun } from './dib-phases.js';
import { runPhaseInTarget, runPhaseOnHost } from './dib-phases.js';
import { mountKernelFilesystems, removeTree } from './mounts.js';
import type { Ran } from './process.js';
import { mustRun, run, SYSTEM_PATH } from './process.js';

export const REPO = join(__dirname, '../..');
export const ELEMENTS_DIR = join(REPO, 'dib-elements');
export const BUNDLE = join(REPO, 'dist/guest-boot-agent.js');
export const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
/** As in README's disk-image-create lines: the config elements; element-deps bring in guest-boot-agent. */
export const ELEMENTS = ['dpm-guest-tools', 'mellanox-sriov'];
/**
 * disk-image-create's phases in its order, and where each runs: root, extra-data and cleanup on the build
 * host (run_d), the others in the chroot (run_d_in_target). block-device.d is left out: it needs a real
 * partitioned disk, and the test fails if an element ever grows one.
 */
export const PHASES = [
  ['root', 'host'],
  ['extra-data', 'host'],
  ['pre-install', 'target'],
  ['install', 'target'],
  ['post-install', 'target'],
  ['finalise', 'target'],
  ['cleanup', 'host'],
] as const;
/** Everything install, the element and systemctl enable may touch. */
export const WATCHED = ['/usr/bin', '/usr/lib/guest-boot-agent', '/usr/lib/systemd/system', '/usr/lib/udev/rules.d', '/etc/systemd/system'];
const TOOLS = ['debootstrap', 'chroot', 'mount', 'umount', 'tar', 'xz', 'ip', 'dpkg', 'systemctl', 'sha256sum'];

export const SKIP = process.env.GBA_SKIP_IMAGE_TEST === '1';
if (SKIP) {
  console.warn('\n!!! SKIPPING the image tests (GBA_SKIP_IMAGE_TEST=1): the DIB elements, `install` in real Debian 11/12/13 roots and the Node 18.19 floor are NOT proven by this run.\n');
}

export const log = (line: string) => console.log(`image: ${line}`);

/** Why this machine cannot run the image tests, or undefined. */
function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'it must run as root (debootstrap, chroot, mount); CI does';
  const onPath = (tool: string) => SYSTEM_PATH.split(':').some((dir) => statSync(join(dir, tool), { throwIfNoEntry: false })?.isFile());
  const missing = TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `${missing.join(', ')} not found in ${SYSTEM_PATH} (.ci/run installs debootstrap, iproute2, systemd, udev, xz-utils)`;
  if (!statSync(BUNDLE, { throwIfNoEntry: false })) return `${BUNDLE} is missing (npm run test:image builds it first)`;
  return undefined;
}

/** A release's root, extracted fresh into its own work directory, with /proc, /dev and /sys mounted. */
export interface ImageRoot {
  work: string;
  root: string;
  release: DebianRelease;
  /** `chroot <root> argv…` with the image's own PATH. */
  inRoot(...argv: string[]): Promise<Ran>;
  remove(): Promise<void>;
}

export async function freshRoot(release: DebianRelease): Promise<ImageRoot> {
  const missing = missingPrerequisite();
  if (missing) throw new Error(`the image test cannot run: ${missing}. Set GBA_SKIP_IMAGE_TEST=1 to skip it (it says so loudly).`);
  for (const name of readdirSync(tmpdir()).filter((entry) => /^gba-image-\d+-/.test(entry))) {
    if (!isAlive(Number(name.split('-')[2]))) await removeTree(join(tmpdir(), name));
  }
  // Built by the global setup already (in parallel with the others); found in the cache here.
  const pristine = await ensurePristineRoot(release, log);
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), `gba-image-${process.pid}-`));
  const root = join(work, 'mnt');
  mkdirSync(root);
  await extractRoot(pristine.tarball, root);
  log(`${release.suite}: fresh copy of ${pristine.tarball} in ${root} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  await mountKernelFilesystems(root);
  return {
    work,
    root,
    release,
    inRoot: (...argv) => run('chroot', [root, ...argv], { env: { PATH: SYSTEM_PATH, HOME: '/root' } }),
    // Unmounts /proc, /dev, /dev/pts, /sys (and anything a failed step left) before removing the copy.
    remove: () => removeTree(work),
  };
}

/**
 * The DIB_* settings disk-image-create would pass for this release (DISTRO_NAME and DIB_RELEASE from the
 * debian-minimal element, ARCH in Debian's spelling) plus the test's own, in a fresh hooks directory.
 */
export async function newBuild(image: ImageRoot, name: string, settings: NodeJS.ProcessEnv): Promise<Build> {
  const arch = (await mustRun('dpkg', ['--print-architecture'])).stdout.trim();
  const hooks = join(image.work, `hooks-${name}`);
  generateHooks(expandElements(ELEMENTS, ELEMENTS_DIR), ELEMENTS_DIR, hooks);
  return {
    root: image.root,
    hooks,
    settings: {
      DISTRO_NAME: 'debian',
      DIB_RELEASE: image.release.suite,
      ARCH: arch,
      DIB_GUEST_BOOT_AGENT_BUNDLE: BUNDLE,
      DIB_DEBUG_TRACE: process.env.DIB_DEBUG_TRACE ?? '0',
      ...settings,
    },
  };
}

/** Every phase in order; the first failing script stops the build (the error names it and carries its output). */
export async function runAllPhases(build: Build): Promise<ScriptRun[]> {
  const runs: ScriptRun[] = [];
  for (const [phase, where] of PHASES) runs.push(...(where === 'host' ? await runPhaseOnHost(build, phase) : await runPhaseInTarget(build, phase)));
  return runs;
}

/** The verdict line of each `install` a script ran: "done: N changes in /" or "nothing to do: …". */
export const installVerdicts = (runs: ScriptRun[]) => runs.map((one) => [one.script, /install: (done: \d+ changes?|nothing to do)/.exec(one.output)?.[1] ?? null]);

/** A build that must fail: the error, which script stopped it, and that script's stderr lines. */
export async function failingBuild(build: Build): Promise<{ script: string; stderrLines: string[]; message: string }> {
  const error = await runAllPhases(build).then(
    () => undefined,
    (caught: unknown) => caught as Error,
  );
  if (!error) throw new Error('the build succeeded, but it had to fail');
  const script = /^(\S+) failed, the build stops here/.exec(error.message)?.[1] ?? '(unknown)';
  const stderr = /\n--- stderr\n([\s\S]*)$/.exec(error.message)?.[1] ?? '';
  return { script, stderrLines: stderr.split('\n').filter(Boolean), message: error.message };
}
