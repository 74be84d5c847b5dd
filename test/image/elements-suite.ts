// The checks every successful image build of the matrix must pass: the elements ran in order, the agent runs on
// the Node the element chose, the units are enabled and verify clean, and a second run changes nothing.
import { lstatSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launcherText } from '../../src/install/launcher.js';
import type { DebianRelease } from './debian-root.js';
import { PACKAGES } from './debian-root.js';
import { expandElements, packageInstalls, pkgMap } from './dib-elements.js';
import type { Build, ScriptRun } from './dib-phases.js';
import { diffManifests, takeManifest } from './manifest.js';
import type { ImageRoot } from './image-build.js';
import { BUNDLE, ELEMENTS, ELEMENTS_DIR, freshRoot, installVerdicts, log, newBuild, PHASES, REPO, runAllPhases, SKIP, VERSION, WATCHED } from './image-build.js';
import { mountCgroup2, unmount } from './mounts.js';
import { describeRun, run } from './process.js';
import { udevTest } from './udev-test.js';

const UNITS = ['guest-boot-agent-qeth.service', 'guest-boot-agent-setmac@.service', 'guest-boot-agent-sriov.service'];
const RULE = '81-guest-boot-agent.rules';
const BUNDLE_IN_IMAGE = '/usr/lib/guest-boot-agent/guest-boot-agent.js';

export interface ElementsCase {
  release: DebianRelease;
  /** e.g. "Debian's own Node 18" */
  title: string;
  /** Extra DIB_* settings (the pinned tarball), computed once the cache is warm. */
  settings(): Promise<NodeJS.ProcessEnv>;
  /** What the launcher's #! line must name, and the version that interpreter must print. */
  interpreter: string;
  nodeVersion: RegExp;
  /** The image's udev evaluates the rule (the helper knows udev 252's `udevadm test`). */
  udev: boolean;
  /** More checks on the built root, run before the second build. */
  extra?(image: () => ImageRoot, build: () => Build): void;
}

export function describeElementsBuild(spec: ElementsCase): void {
  describe.skipIf(SKIP)(`the DIB elements in a real Debian ${spec.release.version} (${spec.release.suite}) root: ${spec.title}`, () => {
    let image: ImageRoot | undefined;
    let build: Build;
    let firstRun: ScriptRun[] = [];
    const inRoot = (...argv: string[]) => image!.inRoot(...argv);

    beforeAll(async () => {
      image = await freshRoot(spec.release);
      build = await newBuild(image, 'ok', await spec.settings());
      firstRun = await runAllPhases(build);
    });

    afterAll(async () => {
      await image?.remove();
    });

    it('expands element-deps to the three elements; what package-installs would install (pkg-map for debian) is in the root already', async () => {
      expect(expandElements(ELEMENTS, ELEMENTS_DIR)).toEqual(['dpm-guest-tools', 'guest-boot-agent', 'mellanox-sriov']);
      // The element's environment.d exports the tarball variable (empty by default) before package-installs reads it.
      const env = { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: '', ...build.settings };
      const wanted = readdirSync(ELEMENTS_DIR).flatMap((element) => pkgMap(join(ELEMENTS_DIR, element), 'debian', spec.release.suite, packageInstalls(join(ELEMENTS_DIR, element), env)));
      if (!build.settings.DIB_GUEST_BOOT_AGENT_NODE_TARBALL) expect(wanted).toContain('nodejs');
      else expect(wanted).not.toContain('nodejs');
      for (const name of wanted) expect(PACKAGES, `package-installs.yaml asks for ${name}: add it to PACKAGES in debian-root.ts`).toContain(name);
      if (wanted.length === 0) return;
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
        ['extra-data.d/40-guest-boot-agent-node', null],
        ['extra-data.d/50-guest-boot-agent', null],
        ['pre-install.d/50-guest-boot-agent-nodejs-stream', null],
        ['install.d/50-guest-boot-agent', expect.stringMatching(/^done: /)],
        ['post-install.d/80-dpm-guest-tools', expect.stringMatching(/^done: /)],
        ['post-install.d/80-mellanox-sriov', expect.stringMatching(/^done: /)],
      ]);
    });

    it(`runs the installed agent on ${spec.title}`, async () => {
      const node = await inRoot(spec.interpreter, '--version');
      expect(node.stdout.trim(), describeRun(node)).toMatch(spec.nodeVersion);
      const agent = await inRoot('/usr/bin/guest-boot-agent', '--version');
      expect({ code: agent.code, version: agent.stdout.trim(), stderr: agent.stderr }, describeRun(agent)).toEqual({ code: 0, version: VERSION, stderr: '' });
      log(`${spec.release.suite}: ${spec.interpreter} ${node.stdout.trim()} runs guest-boot-agent ${agent.stdout.trim()}`);
    });

    it.each([
      ['guest-boot-agent-qeth.service', 'enabled'],
      ['guest-boot-agent-sriov.service', 'enabled'],
      // No [Install] section: udev's SYSTEMD_WANTS starts the instances.
      ['guest-boot-agent-setmac@.service', 'static'],
    ])('%s is %s, says systemctl --root <root> on the host and systemctl in the chroot', async (unit, state) => {
      const host = await run('systemctl', ['--root', build.root, 'is-enabled', unit]);
      expect(host.stdout.trim(), describeRun(host)).toBe(state);
      const inImage = await inRoot('systemctl', 'is-enabled', unit);
      expect(inImage.stdout.trim(), describeRun(inImage)).toBe(state);
    });

    it('installed the launcher (naming that Node), the bundle, the units and the udev rule byte for byte, with their modes', () => {
      const expected = [
        ['/usr/bin/guest-boot-agent', Buffer.from(launcherText(spec.interpreter)), 0o755],
        [BUNDLE_IN_IMAGE, readFileSync(BUNDLE), 0o644],
        ...UNITS.map((unit) => [`/usr/lib/systemd/system/${unit}`, readFileSync(join(REPO, 'systemd', unit)), 0o644] as const),
        [`/usr/lib/udev/rules.d/${RULE}`, readFileSync(join(REPO, 'udev', RULE)), 0o644],
      ] as const;
      for (const [path, content, mode] of expected) {
        const stat = lstatSync(join(build.root, path));
        expect({ path, file: stat.isFile(), mode: (stat.mode & 0o7777).toString(8) }).toEqual({ path, file: true, mode: mode.toString(8) });
        expect(readFileSync(join(build.root, path)).equals(content), `${path} differs from what it should be`).toBe(true);
      }
    });

    describe('systemd-analyze verify of the image (in the chroot)', () => {
      const verify = (...units: string[]) => inRoot('systemd-analyze', 'verify', '--man=no', ...units);
      beforeAll(() => mountCgroup2(build.root));
      afterAll(() => unmount(join(build.root, 'sys/fs/cgroup')));

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
          // 252 and 257 say "Unknown key 'X'", 247 "Unknown key name 'X'".
          expect(output).toMatch(/Unknown key (name )?'LockPersonalty'/);
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

    describe.runIf(spec.udev)("the image's udev evaluates the rule on synthetic devices", () => {
      const ours = `/usr/lib/udev/rules.d/${RULE}`;

      it('a qeth interface eth0, renamed enc1 by 80-net-setup-link.rules, wants guest-boot-agent-setmac@enc1.service', async () => {
        const { ran, properties, ruleDiagnostics } = await udevTest(build.root, { parent: 'devices/qeth/0.0.0001', bus: 'ccwgroup', driver: 'qeth', ifname: 'eth0', mac: '0a:00:00:00:00:11' }, { realLink: true });
        expect(ran.stderr, describeRun(ran)).toContain(`Reading rules file: ${ours}`);
        expect(ruleDiagnostics.filter((line) => line.startsWith(`${ours}:`))).toEqual([]);
        // 252 renames the link in the namespace (INTERFACE_OLD → INTERFACE); 257's test mode renames nothing and
        // reports the name it would give under "Network interface name:".
        const renamed = properties.has('INTERFACE_OLD') ? { from: properties.get('INTERFACE_OLD'), to: properties.get('INTERFACE') } : { from: properties.get('INTERFACE'), to: /^Network interface name:\n\s+(\S+)$/m.exec(ran.stdout)?.[1] };
        expect({ code: ran.code, renamed }, describeRun(ran)).toEqual({ code: 0, renamed: { from: 'eth0', to: 'enc1' } });
        expect(properties.get('TAGS')?.split(':')).toContain('systemd');
        expect(properties.get('SYSTEMD_WANTS')?.split(' ')).toEqual(['guest-boot-agent-setmac@enc1.service']);
      });

      // systemd ignores the add event of an interface udev is renaming and plugs its device unit on the kernel's
      // move event: the rule must want setmac there too (found in the s390x systemd boot under Hyperion).
      it('the move event of the renamed qeth interface enc1 wants guest-boot-agent-setmac@enc1.service too', async () => {
        const { ran, properties, ruleDiagnostics } = await udevTest(build.root, { parent: 'devices/qeth/0.0.0001', bus: 'ccwgroup', driver: 'qeth', ifname: 'enc1', mac: '0a:00:00:00:00:11' }, { realLink: false, action: 'move' });
        expect(ruleDiagnostics.filter((line) => line.startsWith(`${ours}:`))).toEqual([]);
        expect(properties.get('ACTION'), describeRun(ran)).toBe('move');
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

    spec.extra?.(() => image!, () => build);

    // Last: it re-runs everything on the root the tests above looked at.
    it('a second run of every phase changes nothing, and each install says there is nothing to do', async () => {
      const before = takeManifest(build.root, WATCHED);
      const second = await runAllPhases(build);
      const after = takeManifest(build.root, WATCHED);
      expect(before.get('/usr/bin/guest-boot-agent')).toMatch(/^file sha256 /);
      expect(before.get(BUNDLE_IN_IMAGE)).toMatch(/^file sha256 /);
      expect(diffManifests(before, after)).toEqual([]);
      expect(installVerdicts(second)).toEqual([
        ['extra-data.d/40-guest-boot-agent-node', null],
        ['extra-data.d/50-guest-boot-agent', null],
        ['pre-install.d/50-guest-boot-agent-nodejs-stream', null],
        ['install.d/50-guest-boot-agent', 'nothing to do'],
        ['post-install.d/80-dpm-guest-tools', 'nothing to do'],
        ['post-install.d/80-mellanox-sriov', 'nothing to do'],
      ]);
    });
  });
}
