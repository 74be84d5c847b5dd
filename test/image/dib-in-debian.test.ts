// The DIB elements run for real, the way disk-image-create runs them, in a debootstrapped Debian 12 root with
// Debian's own Node 18, systemd 252 and udev; the result is then judged by that root's own tools.
// Needs root (chroot, mount, debootstrap). GBA_SKIP_IMAGE_TEST=1 skips it, loudly; GBA_IMAGE_CACHE moves the cache.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePristineRoot, extractRoot, isAlive, PACKAGES } from './debian-root.js';
import { expandElements, generateHooks, packageInstalls } from './dib-elements.js';
import type { Build, ScriptRun } from './dib-phases.js';
import { runPhaseInTarget, runPhaseOnHost } from './dib-phases.js';
import { diffManifests, takeManifest } from './manifest.js';
import { mountKernelFilesystems, removeTree } from './mounts.js';
import { describeRun, run, SYSTEM_PATH } from './process.js';
import { udevTest } from './udev-test.js';

const REPO = join(__dirname, '../..');
const ELEMENTS_DIR = join(REPO, 'dib-elements');
const BUNDLE = join(REPO, 'dist/guest-boot-agent.js');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
/** As in README's disk-image-create lines: the config elements; element-deps bring in guest-boot-agent. */
const ELEMENTS = ['dpm-guest-tools', 'mellanox-sriov'];
/**
 * disk-image-create's phases in its order, and where each runs: root, extra-data and cleanup on the build
 * host (run_d), the others in the chroot (run_d_in_target). block-device.d is left out: it needs a real
 * partitioned disk, and the test fails if an element ever grows one.
 */
const PHASES = [
  ['root', 'host'],
  ['extra-data', 'host'],
  ['pre-install', 'target'],
  ['install', 'target'],
  ['post-install', 'target'],
  ['finalise', 'target'],
  ['cleanup', 'host'],
] as const;
/** Everything install and systemctl enable may touch. */
const WATCHED = ['/usr/bin', '/usr/lib/systemd/system', '/usr/lib/udev/rules.d', '/etc/systemd/system'];
const UNITS = ['guest-boot-agent-qeth.service', 'guest-boot-agent-setmac@.service', 'guest-boot-agent-sriov.service'];
const RULE = '81-guest-boot-agent.rules';
const TOOLS = ['debootstrap', 'chroot', 'mount', 'umount', 'tar', 'ip', 'dpkg', 'systemctl'];

const SKIP = process.env.GBA_SKIP_IMAGE_TEST === '1';
if (SKIP) {
  console.warn('\n!!! SKIPPING the Debian 12 image test (GBA_SKIP_IMAGE_TEST=1): the DIB elements, `install` in a real root and the Node 18 floor are NOT proven by this run.\n');
}

/** Why this machine cannot run the test, or undefined. */
function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'it must run as root (debootstrap, chroot, mount); CI does';
  const onPath = (tool: string) => SYSTEM_PATH.split(':').some((dir) => statSync(join(dir, tool), { throwIfNoEntry: false })?.isFile());
  const missing = TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `${missing.join(', ')} not found in ${SYSTEM_PATH} (.ci/run installs debootstrap, iproute2, systemd, udev)`;
  if (!statSync(BUNDLE, { throwIfNoEntry: false })) return `${BUNDLE} is missing (npm run test:image builds it first)`;
  return undefined;
}

let work = '';
let build: Build;
let firstRun: ScriptRun[] = [];
const inRoot = (...argv: string[]) => run('chroot', [build.root, ...argv], { env: { PATH: SYSTEM_PATH, HOME: '/root' } });
const log = (line: string) => console.log(`image: ${line}`);

async function runAllPhases(): Promise<ScriptRun[]> {
  const runs: ScriptRun[] = [];
  for (const [phase, where] of PHASES) runs.push(...(where === 'host' ? await runPhaseOnHost(build, phase) : await runPhaseInTarget(build, phase)));
  return runs;
}

/** The verdict line of each `install` a script ran: "done: N changes in /" or "nothing to do: …". */
const installVerdicts = (runs: ScriptRun[]) => runs.map((one) => [one.script, /install: (done: \d+ changes?|nothing to do)/.exec(one.output)?.[1] ?? null]);

describe.skipIf(SKIP)('the DIB elements in a real Debian 12 root', () => {
  beforeAll(async () => {
    const missing = missingPrerequisite();
    if (missing) throw new Error(`the image test cannot run: ${missing}. Set GBA_SKIP_IMAGE_TEST=1 to skip it (it says so loudly).`);
    for (const name of readdirSync(tmpdir()).filter((entry) => /^gba-image-\d+-/.test(entry))) {
      if (!isAlive(Number(name.split('-')[2]))) await removeTree(join(tmpdir(), name));
    }
    const pristine = await ensurePristineRoot(log);
    log(`${pristine.built ? 'built and cached' : 'cached'} root ${pristine.tarball} (${pristine.seconds.toFixed(1)} s)`);
    const started = Date.now();
    work = mkdtempSync(join(tmpdir(), `gba-image-${process.pid}-`));
    build = { root: join(work, 'mnt'), hooks: join(work, 'hooks'), settings: { DIB_GUEST_BOOT_AGENT_BUNDLE: BUNDLE, DIB_DEBUG_TRACE: process.env.DIB_DEBUG_TRACE ?? '0' } };
    mkdirSync(build.root);
    await extractRoot(pristine.tarball, build.root);
    log(`fresh copy in ${build.root} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    generateHooks(expandElements(ELEMENTS, ELEMENTS_DIR), ELEMENTS_DIR, build.hooks);
    await mountKernelFilesystems(build.root);
    firstRun = await runAllPhases();
  });

  afterAll(async () => {
    // Unmounts /proc, /dev, /dev/pts, /sys (and anything a failed step left) before removing the copy.
    if (work) await removeTree(work);
  });

  it('expands element-deps to the three elements; what package-installs would install is in the root already', async () => {
    expect(expandElements(ELEMENTS, ELEMENTS_DIR)).toEqual(['dpm-guest-tools', 'guest-boot-agent', 'mellanox-sriov']);
    const wanted = readdirSync(ELEMENTS_DIR).flatMap((element) => packageInstalls(join(ELEMENTS_DIR, element)));
    expect(wanted).toContain('nodejs');
    for (const name of wanted) expect(PACKAGES, `package-installs.yaml asks for ${name}: add it to PACKAGES in debian-root.ts`).toContain(name);
    const status = await inRoot('dpkg-query', '-W', '-f', '${Package} ${db:Status-Status}\n', ...wanted);
    expect(status.stdout.trim().split('\n').sort(), describeRun(status)).toEqual(wanted.map((name) => `${name} installed`).sort());
  });

  it('has no phase directory that this test does not run', () => {
    const phaseDirs = readdirSync(build.hooks).filter((name) => name.endsWith('.d') && statSync(join(build.hooks, name)).isDirectory());
    const known = ['environment.d', ...PHASES.map(([phase]) => `${phase}.d`)];
    expect(phaseDirs.filter((name) => !known.includes(name)), 'a phase the image test does not run: add it to PHASES').toEqual([]);
  });

  it("ran every phase script of the elements, in dib-run-parts' order, each install changing something", () => {
    expect(installVerdicts(firstRun)).toEqual([
      ['extra-data.d/50-guest-boot-agent', null],
      ['install.d/50-guest-boot-agent', expect.stringMatching(/^done: /)],
      ['post-install.d/80-dpm-guest-tools', expect.stringMatching(/^done: /)],
      ['post-install.d/80-mellanox-sriov', expect.stringMatching(/^done: /)],
    ]);
  });

  it("runs the installed agent on Debian's own Node 18", async () => {
    const node = await inRoot('node', '--version');
    expect(node.stdout.trim(), describeRun(node)).toMatch(/^v18\.\d+\.\d+$/);
    const agent = await inRoot('/usr/bin/guest-boot-agent', '--version');
    expect({ code: agent.code, version: agent.stdout.trim() }, describeRun(agent)).toEqual({ code: 0, version: VERSION });
    log(`Debian's node ${node.stdout.trim()} runs guest-boot-agent ${agent.stdout.trim()}`);
  });

  it.each([
    ['guest-boot-agent-qeth.service', 'enabled'],
    ['guest-boot-agent-sriov.service', 'enabled'],
    // No [Install] section: udev's SYSTEMD_WANTS starts the instances.
    ['guest-boot-agent-setmac@.service', 'static'],
  ])('%s is %s, says systemctl --root <root> on the host and systemctl in the chroot', async (unit, state) => {
    const host = await run('systemctl', ['--root', build.root, 'is-enabled', unit]);
    expect(host.stdout.trim(), describeRun(host)).toBe(state);
    const image = await inRoot('systemctl', 'is-enabled', unit);
    expect(image.stdout.trim(), describeRun(image)).toBe(state);
  });

  it('installed the bundle, the units and the udev rule byte for byte, with their modes', () => {
    const expected = [
      ['/usr/bin/guest-boot-agent', BUNDLE, 0o755],
      ...UNITS.map((unit) => [`/usr/lib/systemd/system/${unit}`, join(REPO, 'systemd', unit), 0o644] as const),
      [`/usr/lib/udev/rules.d/${RULE}`, join(REPO, 'udev', RULE), 0o644],
    ] as const;
    for (const [path, source, mode] of expected) {
      const stat = lstatSync(join(build.root, path));
      expect({ path, file: stat.isFile(), mode: (stat.mode & 0o7777).toString(8) }).toEqual({ path, file: true, mode: mode.toString(8) });
      expect(readFileSync(join(build.root, path)).equals(readFileSync(source)), `${path} differs from ${source}`).toBe(true);
    }
  });

  describe('systemd-analyze verify of the image (systemd 252, in the chroot)', () => {
    const verify = (...units: string[]) => inRoot('systemd-analyze', 'verify', '--man=no', ...units);

    it('has nothing at all to say about the installed units', async () => {
      const result = await verify('guest-boot-agent-qeth.service', 'guest-boot-agent-setmac@enc1.service', 'guest-boot-agent-sriov.service');
      expect({ code: result.code, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({ code: 0, output: '' });
    });

    // The check must be able to fail in this very root: a misspelt directive and a missing ExecStart binary.
    it('reports a broken unit in the same root', async () => {
      const broken = join(build.root, 'usr/lib/systemd/system/gba-broken.service');
      const text = readFileSync(join(build.root, 'usr/lib/systemd/system/guest-boot-agent-sriov.service'), 'utf8');
      writeFileSync(broken, text.replace('LockPersonality=', 'LockPersonalty=').replace('/usr/bin/guest-boot-agent', '/usr/bin/gba-missing'));
      try {
        const output = await verify('gba-broken.service').then((result) => `${result.stdout}${result.stderr}`);
        expect(output).toContain("Unknown key 'LockPersonalty'");
        expect(output).toContain('/usr/bin/gba-missing');
      } finally {
        rmSync(broken);
      }
    });
  });

  it('show parses the command line and exits 0 on a machine without qeth devices', async () => {
    const cmdline = '0001,1,0a0000000011;';
    const text = await inRoot('/usr/bin/guest-boot-agent', 'show', '--cmdline', cmdline);
    expect(text.code, describeRun(text)).toBe(0);
    expect(text.stdout).toMatch(/0\.0\.0001\s+port 1\s+mac 0a:00:00:00:00:11/);
    const json = await inRoot('/usr/bin/guest-boot-agent', '--json', 'show', '--cmdline', cmdline);
    expect(json.code, describeRun(json)).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ command: 'show', cmdlineError: null, rejected: [], entries: [{ devno: '0001', busId: '0.0.0001', port: 1, mac: '0a:00:00:00:00:11' }] });
  });

  describe("the image's udev (252: no udevadm verify) evaluates the rule on synthetic devices", () => {
    const ours = `/usr/lib/udev/rules.d/${RULE}`;

    it('a qeth interface eth0, renamed enc1 by 80-net-setup-link.rules, wants guest-boot-agent-setmac@enc1.service', async () => {
      const { ran, properties, ruleDiagnostics } = await udevTest(build.root, { parent: 'devices/qeth/0.0.0001', bus: 'ccwgroup', driver: 'qeth', ifname: 'eth0', mac: '0a:00:00:00:00:11' }, { realLink: true });
      expect(ran.stderr, describeRun(ran)).toContain(`Reading rules file: ${ours}`);
      expect(ruleDiagnostics.filter((line) => line.startsWith(`${ours}:`))).toEqual([]);
      expect({ code: ran.code, INTERFACE_OLD: properties.get('INTERFACE_OLD'), INTERFACE: properties.get('INTERFACE') }, describeRun(ran)).toEqual({ code: 0, INTERFACE_OLD: 'eth0', INTERFACE: 'enc1' });
      expect(properties.get('TAGS')?.split(':')).toContain('systemd');
      expect(properties.get('SYSTEMD_WANTS')?.split(' ')).toEqual(['guest-boot-agent-setmac@enc1.service']);
    });

    it('a virtio_net interface wants nothing of ours', async () => {
      const { ran, properties } = await udevTest(build.root, { parent: 'devices/virtio1', bus: 'virtio', driver: 'virtio_net', ifname: 'eth1', mac: '52:54:00:00:00:01' }, { realLink: false });
      expect(ran.stderr, describeRun(ran)).toContain(`Reading rules file: ${ours}`);
      expect(properties.get('DEVPATH'), describeRun(ran)).toBe('/devices/virtio1/net/eth1');
      expect(properties.get('SYSTEMD_WANTS') ?? '').not.toContain('guest-boot-agent');
    });

    // The check must be able to fail: the same rule with a match key used as an assignment.
    it('reports a broken copy of the rule', async () => {
      const broken = join(build.root, 'usr/lib/udev/rules.d/82-gba-broken.rules');
      writeFileSync(broken, readFileSync(join(build.root, ours), 'utf8').replace('DRIVERS==', 'DRIVERS='));
      try {
        const { ruleDiagnostics } = await udevTest(build.root, { parent: 'devices/virtio1', bus: 'virtio', driver: 'virtio_net', ifname: 'eth1', mac: '52:54:00:00:00:01' }, { realLink: false });
        expect(ruleDiagnostics).toEqual([expect.stringMatching(/^\/usr\/lib\/udev\/rules\.d\/82-gba-broken\.rules:\d+ Invalid operator for DRIVERS/)]);
      } finally {
        rmSync(broken);
      }
    });
  });

  // Last: it re-runs everything on the root the tests above looked at.
  it('a second run of every phase changes nothing, and each install says there is nothing to do', async () => {
    const before = takeManifest(build.root, WATCHED);
    const second = await runAllPhases();
    const after = takeManifest(build.root, WATCHED);
    expect(before.get('/usr/bin/guest-boot-agent')).toMatch(/^file sha256 /);
    expect(diffManifests(before, after)).toEqual([]);
    expect(installVerdicts(second)).toEqual([
      ['extra-data.d/50-guest-boot-agent', null],
      ['install.d/50-guest-boot-agent', 'nothing to do'],
      ['post-install.d/80-dpm-guest-tools', 'nothing to do'],
      ['post-install.d/80-mellanox-sriov', 'nothing to do'],
    ]);
  });
});
