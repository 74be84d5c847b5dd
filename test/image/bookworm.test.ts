// Debian 12: the element installs Debian's own nodejs (18.20, the floor) and the agent runs on it.
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELEASES } from './debian-root.js';
import { describeElementsBuild } from './elements-suite.js';
import type { ImageRoot } from './image-build.js';
import { failingBuild, freshRoot, newBuild, runAllPhases, SKIP, VERSION } from './image-build.js';
import { describeRun } from './process.js';

describeElementsBuild({
  release: RELEASES.bookworm,
  title: "Debian's own Node 18",
  settings: async () => ({}),
  interpreter: '/usr/bin/node',
  nodeVersion: /^v18\.(19|[2-9]\d)\.\d+$/,
  udev: true,
});

// The SUSE branch of install.d, which no SUSE root here can run: in this Debian root, DISTRO_NAME=opensuse makes
// the element look for SUSE's versioned /usr/bin/node20 (pkg-map installs nodejs20 there). Not a SUSE image: the
// README marks SUSE "not booted"; this proves only the script's choice and its refusal.
describe.skipIf(SKIP)('install.d on DISTRO_NAME=opensuse 15.6, in the Debian 12 root', () => {
  let image: ImageRoot | undefined;

  beforeAll(async () => {
    image = await freshRoot(RELEASES.bookworm);
  });

  afterAll(async () => {
    await image?.remove();
  });

  it('without /usr/bin/node20: stops in install.d with one line, nothing installed', async () => {
    const failed = await failingBuild(await newBuild(image!, 'suse-missing', { DISTRO_NAME: 'opensuse', DIB_RELEASE: '15.6' }));
    expect({ script: failed.script, stderr: failed.stderrLines }, failed.message).toEqual({
      script: 'install.d/50-guest-boot-agent',
      stderr: ['guest-boot-agent: no Node.js at /usr/bin/node20 in the image: set DIB_GUEST_BOOT_AGENT_NODE_TARBALL to an official node-v<version>-linux-<arch>.tar.xz (>= 18.19) and DIB_GUEST_BOOT_AGENT_NODE_SHA256 to its SHA-256'],
    });
    expect(existsSync(join(image!.root, 'usr/bin/guest-boot-agent'))).toBe(false);
  });

  it('with /usr/bin/node20 (here a link to Debian\'s node 18): the launcher names /usr/bin/node20 and the agent runs', async () => {
    symlinkSync('node', join(image!.root, 'usr/bin/node20'));
    await runAllPhases(await newBuild(image!, 'suse', { DISTRO_NAME: 'opensuse', DIB_RELEASE: '15.6' }));
    expect(readFileSync(join(image!.root, 'usr/bin/guest-boot-agent'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/node20');
    const agent = await image!.inRoot('/usr/bin/guest-boot-agent', '--version');
    expect({ code: agent.code, version: agent.stdout.trim() }, describeRun(agent)).toEqual({ code: 0, version: VERSION });
  });
});
