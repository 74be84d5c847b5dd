// The install planner: wanted state + observed image → only the differences, each with its reason.
import { describe, expect, it } from 'vitest';
import type { Feature } from '../../../src/install/assets.js';
import { FEATURES } from '../../../src/install/assets.js';
import type { ImageEntry } from '../../../src/host/host.js';
import { enableDirectories } from '../../../src/install/install-section.js';
import { launcherText } from '../../../src/install/launcher.js';
import { chooseInterpreter, enableLinks, parseEnableList, pathsToObserve, planInstall, wantedFiles } from '../../../src/install/plan.js';

const BUNDLE = new TextEncoder().encode('#!/usr/bin/env node\nconsole.log(1);\n');
const PINNED = '/usr/lib/guest-boot-agent/node/bin/node';
const LAUNCHER = '/usr/bin/guest-boot-agent';
const BUNDLE_PATH = '/usr/lib/guest-boot-agent/guest-boot-agent.js';
const text = (value: string) => new TextEncoder().encode(value);
const unit = (id: string) => FEATURES.find((feature) => feature.id === id)!;
const QETH_LINK = '/etc/systemd/system/sysinit.target.wants/guest-boot-agent-qeth.service';
const SRIOV_LINK = '/etc/systemd/system/multi-user.target.wants/guest-boot-agent-sriov.service';
const RULE = '/usr/lib/udev/rules.d/81-guest-boot-agent.rules';

/** An image on which a complete install of everything has already happened. */
function installedImage(): Map<string, ImageEntry> {
  const image = new Map<string, ImageEntry>([
    [LAUNCHER, { kind: 'file', mode: 0o755, content: text(launcherText('/usr/bin/env node')) }],
    [BUNDLE_PATH, { kind: 'file', mode: 0o644, content: BUNDLE }],
  ]);
  for (const feature of FEATURES) image.set(`/usr/lib/systemd/system/${feature.unit.name}`, { kind: 'file', mode: 0o644, content: text(feature.unit.text) });
  image.set(RULE, { kind: 'file', mode: 0o644, content: text(unit('setmac').rule!.text) });
  // One link as Debian's systemctl makes it (/lib), one as the fallback does (/usr/lib): both count.
  image.set(QETH_LINK, { kind: 'symlink', target: '/lib/systemd/system/guest-boot-agent-qeth.service' });
  image.set(SRIOV_LINK, { kind: 'symlink', target: '/usr/lib/systemd/system/guest-boot-agent-sriov.service' });
  return image;
}

function plan(enable: Parameters<typeof wantedFiles>[2], observed: Map<string, ImageEntry>, features: readonly Feature[] = FEATURES, node?: string) {
  return planInstall(features, wantedFiles(features, { bundle: BUNDLE, interpreter: chooseInterpreter(node, observed) }, enable, observed), enable, observed);
}

const ops = (result: ReturnType<typeof plan>) => result.actions.map((action) => `${action.op} ${action.target}`);

describe('parseEnableList', () => {
  it.each([
    ['all three', 'qeth,setmac,sriov', ['qeth', 'setmac', 'sriov']],
    ['any order, spaces, case', ' SRIOV , qeth', ['qeth', 'sriov']],
    ['none', 'none', []],
    ['duplicates', 'qeth,qeth', ['qeth']],
  ])('accepts %s', (_name, input, expected) => {
    expect(parseEnableList(input)).toEqual(expected);
  });

  it.each([['an unknown unit', 'qeth,dhcp', '"dhcp"'], ['none mixed with units', 'none,qeth', '"none"'], ['an empty list', '', '""']])('rejects %s, naming it', (_name, input, named) => {
    const result = parseEnableList(input);
    expect(typeof result).toBe('string');
    expect(result).toContain(named);
  });
});

describe('the [Install] sections of the shipped units', () => {
  it.each([
    ['guest-boot-agent-qeth.service', ['sysinit.target.wants']],
    ['guest-boot-agent-sriov.service', ['multi-user.target.wants']],
    // Started by udev through the rule, never enabled.
    ['guest-boot-agent-setmac@.service', []],
  ])('%s goes into %j', (name, dirs) => {
    expect(enableDirectories(FEATURES.find((feature) => feature.unit.name === name)!.unit.text)).toEqual(dirs);
  });

  it('reads RequiredBy and several targets, and ignores other sections and comments', () => {
    expect(enableDirectories('[Unit]\nWantedBy=wrong.target\n[Install]\n# WantedBy=commented.target\nWantedBy=a.target b.target\nRequiredBy = c.target\n')).toEqual(['a.target.wants', 'b.target.wants', 'c.target.requires']);
  });
});

describe('planInstall', () => {
  it('installs everything on an empty image, files before enablement, setmac through its rule', () => {
    const result = plan(['qeth', 'setmac', 'sriov'], new Map());
    expect(ops(result)).toEqual([
      'file /usr/bin/guest-boot-agent',
      `file ${BUNDLE_PATH}`,
      'file /usr/lib/systemd/system/guest-boot-agent-qeth.service',
      'file /usr/lib/systemd/system/guest-boot-agent-setmac@.service',
      'file /usr/lib/systemd/system/guest-boot-agent-sriov.service',
      `file ${RULE}`,
      'enable guest-boot-agent-qeth.service',
      'enable guest-boot-agent-sriov.service',
    ]);
    expect(result.problems).toEqual([]);
    expect(result.actions[0]).toMatchObject({ mode: 0o755, bytes: launcherText('/usr/bin/env node').length });
    expect(result.actions[1]).toMatchObject({ mode: 0o644, bytes: BUNDLE.length });
    expect(result.actions.at(-1)).toMatchObject({ links: [{ path: SRIOV_LINK, value: '/usr/lib/systemd/system/guest-boot-agent-sriov.service' }] });
  });

  it('does nothing on an image that already has it all', () => {
    expect(plan(['qeth', 'setmac', 'sriov'], installedImage())).toEqual({ actions: [], problems: [] });
  });

  it('--enable none installs the bundle and units but neither the rule nor any link', () => {
    expect(ops(plan([], new Map()))).toEqual([
      'file /usr/bin/guest-boot-agent',
      `file ${BUNDLE_PATH}`,
      'file /usr/lib/systemd/system/guest-boot-agent-qeth.service',
      'file /usr/lib/systemd/system/guest-boot-agent-setmac@.service',
      'file /usr/lib/systemd/system/guest-boot-agent-sriov.service',
    ]);
  });

  it('never disables: --enable none on a fully installed image changes nothing, and an outdated rule is kept current', () => {
    expect(plan([], installedImage()).actions).toEqual([]);
    const image = installedImage();
    image.set(RULE, { kind: 'file', mode: 0o644, content: text('# old\n') });
    expect(ops(plan([], image))).toEqual([`file ${RULE}`]);
  });

  it('rewrites a changed file, fixes only the mode of an identical one, and replaces a symlink', () => {
    const image = installedImage();
    image.set(BUNDLE_PATH, { kind: 'file', mode: 0o644, content: text('#!/usr/bin/env node\nold\n') });
    image.set('/usr/lib/systemd/system/guest-boot-agent-qeth.service', { kind: 'file', mode: 0o600, content: text(unit('qeth').unit.text) });
    image.set('/usr/lib/systemd/system/guest-boot-agent-sriov.service', { kind: 'symlink', target: '/opt/x.service' });
    const result = plan(['qeth', 'setmac', 'sriov'], image);
    expect(result.actions).toEqual([
      expect.objectContaining({ op: 'file', path: BUNDLE_PATH, why: expect.stringContaining('differs') }),
      expect.objectContaining({ op: 'chmod', path: '/usr/lib/systemd/system/guest-boot-agent-qeth.service', mode: 0o644, why: expect.stringContaining('0600') }),
      expect.objectContaining({ op: 'file', path: '/usr/lib/systemd/system/guest-boot-agent-sriov.service', why: expect.stringContaining('/opt/x.service') }),
    ]);
  });

  it('enables only what is missing', () => {
    const image = installedImage();
    image.delete(SRIOV_LINK);
    expect(ops(plan(['qeth', 'sriov'], image))).toEqual(['enable guest-boot-agent-sriov.service']);
  });

  it('reports, and leaves alone, a directory in the way, a masked unit and a foreign link; the rest is still planned', () => {
    const image = new Map<string, ImageEntry>([
      ['/usr/bin/guest-boot-agent', { kind: 'dir' }],
      ['/etc/systemd/system/guest-boot-agent-qeth.service', { kind: 'symlink', target: '/dev/null' }],
      [SRIOV_LINK, { kind: 'symlink', target: '/etc/systemd/system/other.service' }],
    ]);
    const result = plan(['qeth', 'sriov'], image);
    expect(result.problems.map((problem) => [problem.target, problem.ok])).toEqual([
      ['/usr/bin/guest-boot-agent', false],
      ['guest-boot-agent-qeth.service', false],
      ['guest-boot-agent-sriov.service', false],
    ]);
    expect(result.problems[1]!.error).toContain('masked');
    expect(result.problems[2]!.error).toContain('/etc/systemd/system/other.service');
    expect(ops(result)).toContain('file /usr/lib/systemd/system/guest-boot-agent-qeth.service');
    expect(ops(result).some((op) => op.startsWith('enable'))).toBe(false);
  });

  it('observes every path it plans on', () => {
    const paths = pathsToObserve(FEATURES);
    for (const action of plan(['qeth', 'setmac', 'sriov'], new Map()).actions) {
      if (action.op === 'enable') for (const link of action.links) expect(paths).toContain(link.path);
      else expect(paths).toContain(action.path);
    }
    expect(paths).toContain('/etc/systemd/system/guest-boot-agent-qeth.service');
    expect(enableLinks(unit('setmac'))).toEqual([]);
  });

  it('--node rewrites only the launcher, naming the interpreter in its #! line; the units stay as they are', () => {
    const result = plan(['qeth', 'setmac', 'sriov'], installedImage(), FEATURES, PINNED);
    expect(ops(result)).toEqual(['file /usr/bin/guest-boot-agent']);
    const files = wantedFiles(FEATURES, { bundle: BUNDLE, interpreter: PINNED }, [], new Map());
    expect(new TextDecoder().decode(files[0]!.content).split('\n')[0]).toBe(`#!${PINNED}`);
  });
});

describe('chooseInterpreter', () => {
  const withLauncher = (interpreter: string) => new Map<string, ImageEntry>([[LAUNCHER, { kind: 'file', mode: 0o755, content: text(launcherText(interpreter)) }]]);

  it('takes --node first', () => {
    expect(chooseInterpreter(PINNED, withLauncher('/usr/bin/node'))).toBe(PINNED);
  });

  it('keeps the interpreter of the installed launcher when --node is not given (a later install must not undo the pin)', () => {
    expect(chooseInterpreter(undefined, withLauncher(PINNED))).toBe(PINNED);
    expect(plan(['qeth'], withLauncher(PINNED)).actions.filter((action) => action.target === LAUNCHER)).toEqual([]);
  });

  it.each<[string, Map<string, ImageEntry>]>([
    ['an empty image', new Map()],
    ["the old layout's bundle at /usr/bin", new Map([[LAUNCHER, { kind: 'file', mode: 0o755, content: text('#!/usr/bin/node20\n"use strict";') }]])],
    ['a launcher whose #! line was edited into something unsafe', withLauncher('/usr/bin/node --inspect')],
    ['a directory', new Map([[LAUNCHER, { kind: 'dir' }]])],
  ])('falls back to /usr/bin/env node on %s', (_name, observed) => {
    expect(chooseInterpreter(undefined, observed)).toBe('/usr/bin/env node');
  });
});
