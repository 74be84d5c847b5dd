// `install` through the CLI on an image in memfs: the real ImageFs code, a systemctl stand-in or none at all.
import { Volume } from 'memfs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecResult, Host } from '../../src/host/host.js';
import { HostError } from '../../src/host/host.js';
import type { FsPromises } from '../../src/host/image-fs.js';
import { createImageFs } from '../../src/host/image-fs.js';
import { createNodeHost } from '../../src/host/node-host.js';
import { launcherText } from '../../src/install/launcher.js';
import { runAgent } from '../helpers/run-agent.js';

const BUNDLE_PATH = '/build/dist/guest-boot-agent.js';
const BUNDLE = '#!/usr/bin/env node\n"use strict";console.log("agent");\n';
const ROOT = '/image';
const QETH_LINK = `${ROOT}/etc/systemd/system/sysinit.target.wants/guest-boot-agent-qeth.service`;
const SRIOV_LINK = `${ROOT}/etc/systemd/system/multi-user.target.wants/guest-boot-agent-sriov.service`;
const RULE = `${ROOT}/usr/lib/udev/rules.d/81-guest-boot-agent.rules`;
const LAUNCHER = `${ROOT}/usr/bin/guest-boot-agent`;
const INSTALLED_BUNDLE = `${ROOT}/usr/lib/guest-boot-agent/guest-boot-agent.js`;
const PINNED = '/usr/lib/guest-boot-agent/node/bin/node';
const firstLine = (volume: InstanceType<typeof Volume>, path: string) => String(volume.readFileSync(path, 'utf8')).split('\n')[0];

/** A build host in memfs: the bundle under /build, the image under /image (a Debian-like merged /usr). */
function world(options: { systemctl: boolean }) {
  const volume = Volume.fromJSON({ [BUNDLE_PATH]: BUNDLE, [`${ROOT}/usr/lib/os-release`]: 'ID=debian\n' });
  volume.symlinkSync('usr/lib', `${ROOT}/lib`);
  const fs = volume.promises as unknown as FsPromises;
  const host: Host = {
    ...createNodeHost('/nonexistent-root'),
    input: { read: async (path) => new Uint8Array(volume.readFileSync(path) as Buffer) },
    exec: async (file, args) => {
      if (file !== 'systemctl' || !options.systemctl) throw new HostError('exec', file, 'ENOENT');
      return systemctl(volume, args);
    },
  };
  const run = (args: string[], at: { bundle?: string; root?: string } = {}) =>
    runAgent(host, ['--root', at.root ?? ROOT, 'install', '--bundle', at.bundle ?? BUNDLE_PATH, ...args], { createImageFs: (root) => createImageFs(root, fs) });
  /** Every file, link and mode under the image: the state a second run must not change. */
  const snapshot = () => {
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const name of volume.readdirSync(dir) as string[]) {
        const path = posix.join(dir, name);
        const stat = volume.lstatSync(path);
        if (stat.isSymbolicLink()) out[path] = `-> ${String(volume.readlinkSync(path))}`;
        else if (stat.isDirectory()) walk(path);
        else out[path] = `${(Number(stat.mode) & 0o7777).toString(8)} ${String(volume.readFileSync(path, 'utf8')).length}`;
      }
    };
    walk(ROOT);
    return out;
  };
  return { volume, run, snapshot };
}

/** `systemctl --root R enable U` as Debian's does it offline: a link per [Install] WantedBy=, aimed at /lib/systemd/system. */
async function systemctl(volume: InstanceType<typeof Volume>, args: readonly string[]): Promise<ExecResult> {
  const [flag, root, verb, unit] = args;
  if (flag !== '--root' || verb !== 'enable' || !root || !unit) return { exitCode: 1, stdout: '', stderr: `unexpected: ${args.join(' ')}` };
  const text = String(volume.readFileSync(`${root}/usr/lib/systemd/system/${unit}`, 'utf8'));
  const wanted = /^WantedBy=(.+)$/m.exec(text.slice(text.indexOf('[Install]')))?.[1]?.trim();
  if (!wanted) return { exitCode: 0, stdout: '', stderr: 'The unit files have no installation config' };
  const dir = `${root}/etc/systemd/system/${wanted}.wants`;
  volume.mkdirSync(dir, { recursive: true });
  if (!volume.existsSync(`${dir}/${unit}`)) volume.symlinkSync(`/lib/systemd/system/${unit}`, `${dir}/${unit}`);
  return { exitCode: 0, stdout: '', stderr: `Created symlink ${dir}/${unit} → /lib/systemd/system/${unit}.` };
}

/** The target of the symlink at `path` (never followed: targets are image paths), or undefined. */
function link(volume: InstanceType<typeof Volume>, path: string): string | undefined {
  try {
    return String(volume.readlinkSync(path));
  } catch {
    return undefined;
  }
}

describe('install on an image in memfs', () => {
  it('installs the launcher 0755, the bundle 0644, the units and the rule, enables qeth and sriov with systemctl, and a second run changes nothing', async () => {
    const { volume, run, snapshot } = world({ systemctl: true });
    const first = await run([]);
    expect(first.code).toBe(0);
    expect(String(volume.readFileSync(LAUNCHER, 'utf8'))).toBe(launcherText('/usr/bin/env node'));
    expect(Number(volume.statSync(LAUNCHER).mode) & 0o7777).toBe(0o755);
    expect(String(volume.readFileSync(INSTALLED_BUNDLE, 'utf8'))).toBe(BUNDLE);
    expect(Number(volume.statSync(INSTALLED_BUNDLE).mode) & 0o7777).toBe(0o644);
    expect(String(volume.readFileSync(`${ROOT}/usr/lib/systemd/system/guest-boot-agent-setmac@.service`, 'utf8'))).toContain('ExecStart=/usr/bin/guest-boot-agent setmac %I');
    expect(String(volume.readFileSync(RULE, 'utf8'))).toContain('ENV{SYSTEMD_WANTS}+="guest-boot-agent-setmac@$name.service"');
    expect(link(volume, QETH_LINK)).toBe('/lib/systemd/system/guest-boot-agent-qeth.service');
    expect(link(volume, SRIOV_LINK)).toBe('/lib/systemd/system/guest-boot-agent-sriov.service');

    const before = snapshot();
    const second = await run([]);
    expect(second.code).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(second.lines).toEqual([`<6>install: nothing to do: ${ROOT} is up to date and has qeth, setmac, sriov enabled`]);
  });

  it('without systemctl creates the same [Install] symlinks itself', async () => {
    const { volume, run } = world({ systemctl: false });
    const first = await run(['--enable', 'qeth,sriov']);
    expect(first.code).toBe(0);
    expect(first.lines).toContain('<6>guest-boot-agent-qeth.service: systemctl not found: creating the [Install] symlinks directly');
    expect(link(volume, QETH_LINK)).toBe('/usr/lib/systemd/system/guest-boot-agent-qeth.service');
    expect(link(volume, SRIOV_LINK)).toBe('/usr/lib/systemd/system/guest-boot-agent-sriov.service');
    // setmac was not asked for: no rule, so udev starts nothing.
    expect(volume.existsSync(RULE)).toBe(false);
    expect((await run(['--enable', 'qeth,sriov'])).lines).toEqual([`<6>install: nothing to do: ${ROOT} is up to date and has qeth, sriov enabled`]);
  });

  it('--dry-run lists every step and writes nothing', async () => {
    const { run, snapshot } = world({ systemctl: true });
    const before = snapshot();
    const dry = await run(['--dry-run']);
    expect(dry.code).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(dry.stdout).toContain('1. install /usr/bin/guest-boot-agent');
    expect(dry.stdout).toContain(`enable guest-boot-agent-qeth.service: systemctl --root ${ROOT} enable guest-boot-agent-qeth.service`);
    expect(dry.stdout).toContain('2. install /usr/lib/guest-boot-agent/guest-boot-agent.js');
    expect(dry.stdout.match(/^ {2}\d+\. /gm)).toHaveLength(8);
  });

  it('--enable none installs files only; a later --enable setmac adds just the rule; --json lists the actions', async () => {
    const { volume, run } = world({ systemctl: true });
    expect((await run(['--enable', 'none'])).code).toBe(0);
    expect(volume.existsSync(`${ROOT}/usr/lib/systemd/system/guest-boot-agent-qeth.service`)).toBe(true);
    expect(volume.existsSync(`${ROOT}/etc/systemd`)).toBe(false);
    expect(volume.existsSync(RULE)).toBe(false);
    const setmac = await run(['--enable', 'setmac', '--json']);
    expect(setmac.code).toBe(0);
    const document = JSON.parse(setmac.stdout) as { command: string; actions: { op: string; path: string }[]; results: { ok: boolean }[] };
    expect(document).toMatchObject({ command: 'install', dryRun: false, enable: ['setmac'], entries: [], rejected: [] });
    expect(document.actions.map((action) => `${action.op} ${action.path}`)).toEqual(['file /usr/lib/udev/rules.d/81-guest-boot-agent.rules']);
    expect(document.results).toEqual([{ target: '/usr/lib/udev/rules.d/81-guest-boot-agent.rules', ok: true, changed: true }]);
  });

  it('writes through absolute symlinks inside the image, never out of it', async () => {
    const { volume, run } = world({ systemctl: false });
    // /etc/systemd/system is a link to an absolute path: it must resolve inside /image, as under chroot.
    volume.mkdirSync(`${ROOT}/srv/units`, { recursive: true });
    volume.mkdirSync(`${ROOT}/etc/systemd`, { recursive: true });
    volume.symlinkSync('/srv/units', `${ROOT}/etc/systemd/system`);
    expect((await run(['--enable', 'qeth'])).code).toBe(0);
    expect(link(volume, `${ROOT}/srv/units/sysinit.target.wants/guest-boot-agent-qeth.service`)).toBe('/usr/lib/systemd/system/guest-boot-agent-qeth.service');
    expect(volume.existsSync('/srv')).toBe(false);
  });

  it('exits 1 for a masked unit but still installs the rest; 2 for a bad --enable or a non-script bundle; 3 for a missing bundle', async () => {
    const { volume, run } = world({ systemctl: true });
    volume.mkdirSync(`${ROOT}/etc/systemd/system`, { recursive: true });
    volume.symlinkSync('/dev/null', `${ROOT}/etc/systemd/system/guest-boot-agent-sriov.service`);
    const masked = await run([]);
    expect(masked.code).toBe(1);
    expect(masked.lines).toContain('<3>guest-boot-agent-sriov.service: guest-boot-agent-sriov.service is masked (/etc/systemd/system/guest-boot-agent-sriov.service -> /dev/null): not enabling it; systemctl unmask it first');
    expect(link(volume, QETH_LINK)).toBeDefined();
    expect(link(volume, SRIOV_LINK)).toBeUndefined();

    const badList = await run(['--enable', 'qeth,ssh']);
    expect(badList.code).toBe(2);
    expect(badList.lines).toContain('<3>guest-boot-agent: --enable: "ssh" is not one of qeth, setmac, sriov (comma-separated) or none');
    volume.writeFileSync('/build/notes.txt', 'hello');
    expect((await run([], { bundle: '/build/notes.txt' })).code).toBe(2);
    const missing = await run([], { bundle: '/build/missing.js' });
    expect(missing.code).toBe(3);
    expect(missing.lines[0]).toMatch(/^<3>guest-boot-agent: install: cannot read the bundle \/build\/missing\.js: .*ENOENT/);
  });

  it('exits 2 when --root is not a directory', async () => {
    const { run } = world({ systemctl: true });
    const result = await run([], { root: '/nowhere' });
    expect(result.code).toBe(2);
    expect(result.lines).toContain('<3>guest-boot-agent: install: --root /nowhere is not a directory');
  });

  it('--node puts that interpreter in the launcher\'s #! line; a later install without --node keeps it; the units never change', async () => {
    const { volume, run } = world({ systemctl: true });
    volume.mkdirSync(`${ROOT}/usr/lib/guest-boot-agent/node/bin`, { recursive: true });
    volume.writeFileSync(`${ROOT}${PINNED}`, 'ELF');
    expect((await run([])).code).toBe(0);
    expect(firstLine(volume, LAUNCHER)).toBe('#!/usr/bin/env node');
    const units = ['qeth', 'sriov', 'setmac@'].map((name) => String(volume.readFileSync(`${ROOT}/usr/lib/systemd/system/guest-boot-agent-${name}.service`, 'utf8')));

    const pinned = await run(['--node', PINNED, '--json']);
    expect(pinned.code).toBe(0);
    const document = JSON.parse(pinned.stdout) as { node: string; actions: { path: string }[] };
    expect({ node: document.node, paths: document.actions.map((action) => action.path) }).toEqual({ node: PINNED, paths: ['/usr/bin/guest-boot-agent'] });
    expect(firstLine(volume, LAUNCHER)).toBe(`#!${PINNED}`);

    const again = await run(['--enable', 'qeth,setmac']);
    expect(again.lines).toEqual([`<6>install: nothing to do: ${ROOT} is up to date and has qeth, setmac enabled`]);
    expect(firstLine(volume, LAUNCHER)).toBe(`#!${PINNED}`);
    expect(['qeth', 'sriov', 'setmac@'].map((name) => String(volume.readFileSync(`${ROOT}/usr/lib/systemd/system/guest-boot-agent-${name}.service`, 'utf8')))).toEqual(units);
  });

  it('exits 2 for a --node that is not in the image or not a plain absolute path, and for a launcher given as --bundle', async () => {
    const { volume, run, snapshot } = world({ systemctl: true });
    const before = snapshot();
    const missing = await run(['--node', '/usr/bin/node']);
    expect({ code: missing.code, lines: missing.lines }).toEqual({ code: 2, lines: [`<3>guest-boot-agent: install: --node /usr/bin/node is not in ${ROOT}: the launcher's interpreter must exist in the image`] });
    const spaced = await run(['--node', '/usr/bin/node --inspect']);
    expect(spaced.code).toBe(2);
    expect(spaced.lines[0]).toContain('must be an absolute path');
    expect(snapshot()).toEqual(before);
    volume.writeFileSync('/build/launcher', launcherText('/usr/bin/node'));
    const launcher = await run([], { bundle: '/build/launcher' });
    expect({ code: launcher.code, lines: launcher.lines }).toEqual({ code: 2, lines: ['<3>guest-boot-agent: install: /build/launcher is the launcher, not the bundle; --bundle must name dist/guest-boot-agent.js'] });
  });
});
