// Debian 11: its own nodejs is 12, too old for the bundle. With DIB_GUEST_BOOT_AGENT_NODE_TARBALL/_SHA256 the
// element installs an official Node build and the agent runs on it; without them the build stops early with
// one line; a wrong SHA-256 stops it too; and Debian's Node 12 forced in makes the installed command refuse
// clearly (exit 2) instead of dying with a SyntaxError.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASES } from './debian-root.js';
import { describeElementsBuild } from './elements-suite.js';
import type { ImageRoot } from './image-build.js';
import { BUNDLE, failingBuild, freshRoot, newBuild, SKIP, WATCHED } from './image-build.js';
import { diffManifests, takeManifest } from './manifest.js';
import type { NodeTarball } from './node-tarball.js';
import { ensureNodeTarball, NODE_VERSION } from './node-tarball.js';
import { describeRun, run } from './process.js';

const PINNED = '/usr/lib/guest-boot-agent/node/bin/node';
const TOO_OLD = /^guest-boot-agent needs Node >= 18\.19, but \/usr\/bin\/node is v12\.\d+\.\d+: /;
let tarball: NodeTarball | undefined;
const pinnedTarball = async () => (tarball ??= await ensureNodeTarball((line) => console.log(`image: ${line}`)));

describeElementsBuild({
  release: RELEASES.bullseye,
  title: `the pinned official Node ${NODE_VERSION}`,
  settings: async () => {
    const { path, sha256 } = await pinnedTarball();
    return { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: path, DIB_GUEST_BOOT_AGENT_NODE_SHA256: sha256 };
  },
  interpreter: PINNED,
  nodeVersion: new RegExp(`^v${NODE_VERSION.replace(/\./g, '\\.')}$`),
  // udev 247's `udevadm test` is not the one the helper reads; bookworm and trixie prove the rule.
  udev: false,
  extra(image) {
    it("keeps only the runtime and its licence, records the tarball's SHA-256, and leaves Debian's Node 12 alone (the launcher does not use PATH)", async () => {
      const { sha256, version, arch } = await pinnedTarball();
      const dir = join(image().root, 'usr/lib/guest-boot-agent/node');
      expect(readdirSync(dir).sort()).toEqual(['LICENSE', 'bin', 'tarball.sha256']);
      expect(readdirSync(join(dir, 'bin'))).toEqual(['node']);
      expect(readFileSync(join(dir, 'tarball.sha256'), 'utf8')).toBe(`${sha256}  node-v${version}-linux-${arch}.tar.xz\n`);
      const debian = await image().inRoot('node', '--version');
      expect(debian.stdout.trim(), describeRun(debian)).toMatch(/^v12\./);
    });
  },
});

describe.skipIf(SKIP)('the guest-boot-agent element refuses Debian 11 without a usable Node', () => {
  let image: ImageRoot | undefined;
  let pristine: ReturnType<typeof takeManifest>;

  beforeAll(async () => {
    image = await freshRoot(RELEASES.bullseye);
    pristine = takeManifest(image.root, WATCHED);
  });

  afterAll(async () => {
    await image?.remove();
  });

  const expectRootUntouched = () => expect(diffManifests(pristine, takeManifest(image!.root, WATCHED))).toEqual([]);

  it('without DIB_GUEST_BOOT_AGENT_NODE_TARBALL: stops in extra-data.d, before anything is installed, with one line naming the variable', async () => {
    const failed = await failingBuild(await newBuild(image!, 'no-tarball', {}));
    expect({ script: failed.script, stderr: failed.stderrLines }, failed.message).toEqual({
      script: 'extra-data.d/40-guest-boot-agent-node',
      stderr: [
        'guest-boot-agent: debian bullseye has no Node.js >= 18.19: set DIB_GUEST_BOOT_AGENT_NODE_TARBALL to an official node-v<version>-linux-<arch>.tar.xz (>= 18.19) and DIB_GUEST_BOOT_AGENT_NODE_SHA256 to its SHA-256',
      ],
    });
    expectRootUntouched();
  });

  it('a wrong SHA-256 stops the build in extra-data.d, nothing unpacked', async () => {
    const { path, sha256 } = await pinnedTarball();
    const wrong = `${sha256.slice(0, -1)}${sha256.endsWith('0') ? '1' : '0'}`;
    const build = await newBuild(image!, 'wrong-sha', { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: path, DIB_GUEST_BOOT_AGENT_NODE_SHA256: wrong });
    const failed = await failingBuild(build);
    expect({ script: failed.script, stderr: failed.stderrLines }, failed.message).toEqual({
      script: 'extra-data.d/40-guest-boot-agent-node',
      stderr: [`guest-boot-agent: DIB_GUEST_BOOT_AGENT_NODE_TARBALL=${path} has SHA-256 ${sha256}, not DIB_GUEST_BOOT_AGENT_NODE_SHA256=${wrong}: refusing it`],
    });
    expect(readdirSync(build.hooks).filter((name) => name.startsWith('guest-boot-agent-node'))).toEqual([]);
    expectRootUntouched();
  });

  it('a tarball without its SHA-256 stops the build in extra-data.d', async () => {
    const { path } = await pinnedTarball();
    const failed = await failingBuild(await newBuild(image!, 'no-sha', { DIB_GUEST_BOOT_AGENT_NODE_TARBALL: path }));
    expect({ script: failed.script, stderr: failed.stderrLines }).toEqual({
      script: 'extra-data.d/40-guest-boot-agent-node',
      stderr: [`guest-boot-agent: DIB_GUEST_BOOT_AGENT_NODE_TARBALL is set but DIB_GUEST_BOOT_AGENT_NODE_SHA256 is not: set it to the SHA-256 of ${path} (SHASUMS256.txt of its release)`],
    });
    expectRootUntouched();
  });

  // A release the early table does not know (DIB_RELEASE=11): install.d checks the Node it finds and stops.
  it("an unknown release name still never yields an image that fails at boot: install.d refuses Debian's Node 12 with one line", async () => {
    const failed = await failingBuild(await newBuild(image!, 'unknown-release', { DIB_RELEASE: '11' }));
    expect({ script: failed.script, stderr: failed.stderrLines }, failed.message).toEqual({
      script: 'install.d/50-guest-boot-agent',
      stderr: [expect.stringMatching(/^guest-boot-agent: \/usr\/bin\/node is Node v12\.\d+\.\d+, the agent needs >= 18\.19: set DIB_GUEST_BOOT_AGENT_NODE_TARBALL to an official node-v<version>-linux-<arch>\.tar\.xz \(>= 18\.19\) and DIB_GUEST_BOOT_AGENT_NODE_SHA256 to its SHA-256$/)],
    });
    expectRootUntouched();
  });

  // Last: it installs into the root the tests above kept pristine.
  it('with Debian\'s own Node 12 forced in (install --node /usr/bin/node), the installed command prints "needs Node >= 18.19" and exits 2', async () => {
    const installed = await run(process.execPath, [BUNDLE, '--root', image!.root, 'install', '--node', '/usr/bin/node', '--enable', 'none']);
    expect(installed.code, describeRun(installed)).toBe(0);
    expect(readFileSync(join(image!.root, 'usr/bin/guest-boot-agent'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/node');
    const version = await image!.inRoot('/usr/bin/guest-boot-agent', '--version');
    expect({ code: version.code, stdout: version.stdout, stderrLines: version.stderr.trimEnd().split('\n').length }, describeRun(version)).toEqual({ code: 2, stdout: '', stderrLines: 1 });
    expect(version.stderr).toMatch(TOO_OLD);
    expect(version.stderr).not.toContain('SyntaxError');
    const json = await image!.inRoot('/usr/bin/guest-boot-agent', '--json', 'show');
    expect({ code: json.code, document: JSON.parse(json.stdout) as unknown }, describeRun(json)).toEqual({ code: 2, document: { command: null, exitCode: 2, error: expect.stringMatching(TOO_OLD) } });
    // What the launcher prevents: the bundle itself on Node 12.
    const bare = await image!.inRoot('/usr/bin/node', '/usr/lib/guest-boot-agent/guest-boot-agent.js', '--version');
    expect({ code: bare.code, syntaxError: bare.stderr.includes('SyntaxError') }, describeRun(bare)).toEqual({ code: 1, syntaxError: true });
    expect(existsSync(join(image!.root, 'usr/lib/guest-boot-agent/node'))).toBe(false);
  });
});
