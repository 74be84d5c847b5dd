// Pure: what `install` must do to an image root, from the wanted state and the observed one.
import type { Result } from '../plan/action.js';
import { assertNever } from '../plan/action.js';
import type { Feature, FeatureId } from './assets.js';
import { ADMIN_UNIT_DIR, BIN_PATH, FEATURE_IDS, RULES_DIR, UNIT_DIR } from './assets.js';
import type { ImageEntry } from '../host/host.js';
import { enableDirectories } from './install-section.js';
import { BUNDLE_PATH, DEFAULT_INTERPRETER, launcherInterpreter, launcherText } from './launcher.js';

/** A file the image must contain, byte for byte, with exactly this mode. */
export interface WantedFile {
  path: string;
  content: Uint8Array;
  mode: number;
  why: string;
}

export interface Link {
  path: string;
  value: string;
}

export type InstallAction =
  | { op: 'file'; target: string; path: string; mode: number; bytes: number; why: string }
  | { op: 'chmod'; target: string; path: string; mode: number; why: string }
  /** `systemctl --root <root> enable <unit>`, or, without systemctl, the same `links` made directly. */
  | { op: 'enable'; target: string; unit: string; links: Link[]; why: string };

export interface InstallPlan {
  actions: InstallAction[];
  /** Targets that cannot be installed or enabled as they are; each becomes a failed Result. */
  problems: Result[];
}

/** Parses `--enable`: a comma list of qeth, setmac, sriov, or `none`. Returns an error message for anything else. */
export function parseEnableList(text: string): FeatureId[] | string {
  const names = text.split(',').map((name) => name.trim().toLowerCase());
  if (names.length === 1 && names[0] === 'none') return [];
  const unknown = names.filter((name) => !(FEATURE_IDS as readonly string[]).includes(name));
  if (unknown.length > 0) return `--enable: ${unknown.map((name) => JSON.stringify(name)).join(', ')} is not one of ${FEATURE_IDS.join(', ')} (comma-separated) or none`;
  return FEATURE_IDS.filter((id) => names.includes(id));
}

/** The agent itself: the bundle, and the launcher's interpreter (a #! line's content). */
export interface AgentFiles {
  bundle: Uint8Array;
  interpreter: string;
}

/**
 * The interpreter of the launcher: `--node` when given, else the one the installed launcher already names (a
 * later `install` without --node, e.g. from a post-install.d script, keeps what the first chose), else the
 * bundle's own `/usr/bin/env node`.
 */
export function chooseInterpreter(node: string | undefined, observed: ReadonlyMap<string, ImageEntry>): string {
  if (node !== undefined) return node;
  const installed = observed.get(BIN_PATH);
  return (installed?.kind === 'file' ? launcherInterpreter(installed.content) : undefined) ?? DEFAULT_INTERPRETER;
}

/** The files to install: the launcher, the bundle, every unit, and setmac's udev rule when setmac is enabled or the rule is already there (kept current). */
export function wantedFiles(features: readonly Feature[], agent: AgentFiles, enable: readonly FeatureId[], observed: ReadonlyMap<string, ImageEntry>): WantedFile[] {
  const text = (value: string) => new TextEncoder().encode(value);
  const files: WantedFile[] = [
    { path: BIN_PATH, content: text(launcherText(agent.interpreter)), mode: 0o755, why: `the command the units run: checks the Node version, then runs the bundle on #!${agent.interpreter}` },
    // Not executable: only the launcher runs it (require), so no one starts it on a Node too old to parse it.
    { path: BUNDLE_PATH, content: agent.bundle, mode: 0o644, why: 'the agent (this bundle)' },
  ];
  for (const feature of features) files.push({ path: `${UNIT_DIR}/${feature.unit.name}`, content: text(feature.unit.text), mode: 0o644, why: `the ${feature.id} unit` });
  for (const feature of features) {
    if (!feature.rule) continue;
    const path = `${RULES_DIR}/${feature.rule.name}`;
    const present = (observed.get(path)?.kind ?? 'missing') !== 'missing';
    if (enable.includes(feature.id) || present) {
      files.push({ path, content: text(feature.rule.text), mode: 0o644, why: enable.includes(feature.id) ? `enables ${feature.id}: udev starts ${feature.unit.name} per interface` : `keeps the installed ${feature.id} rule current` });
    }
  }
  return files;
}

/** Every image path the plan looks at: what observe must read. */
export function pathsToObserve(features: readonly Feature[]): string[] {
  const paths = [BIN_PATH, BUNDLE_PATH];
  for (const feature of features) {
    paths.push(`${UNIT_DIR}/${feature.unit.name}`, `${ADMIN_UNIT_DIR}/${feature.unit.name}`, ...enableLinks(feature).map((link) => link.path));
    if (feature.rule) paths.push(`${RULES_DIR}/${feature.rule.name}`);
  }
  return paths;
}

/** The symlinks `systemctl enable` makes for a unit, from its [Install] section. */
export function enableLinks(feature: Feature): Link[] {
  const name = feature.unit.name;
  return enableDirectories(feature.unit.text).map((dir) => ({ path: `${ADMIN_UNIT_DIR}/${dir}/${name}`, value: `${UNIT_DIR}/${name}` }));
}

/** Link targets that count as enabled: ours, and Debian's systemctl's (/lib is /usr/lib on merged-/usr systems). */
export function isEnabledLink(entry: ImageEntry | undefined, unit: string): boolean {
  return entry?.kind === 'symlink' && [`${UNIT_DIR}/${unit}`, `/lib/systemd/system/${unit}`].includes(entry.target);
}

/** Compares the wanted state with the observed one: only what differs becomes an action. */
export function planInstall(features: readonly Feature[], files: readonly WantedFile[], enable: readonly FeatureId[], observed: ReadonlyMap<string, ImageEntry>): InstallPlan {
  const actions: InstallAction[] = [];
  const problems: Result[] = [];
  for (const file of files) {
    const entry = observed.get(file.path) ?? { kind: 'missing' };
    const step = fileStep(file, entry);
    if (typeof step === 'string') problems.push({ target: file.path, ok: false, changed: false, error: step });
    else if (step) actions.push(step);
  }
  for (const feature of features.filter((candidate) => enable.includes(candidate.id))) {
    const step = enableStep(feature, observed);
    if (typeof step === 'string') problems.push({ target: feature.unit.name, ok: false, changed: false, error: step });
    else if (step) actions.push(step);
  }
  return { actions, problems };
}

function fileStep(file: WantedFile, entry: ImageEntry): InstallAction | string | undefined {
  const write: InstallAction = { op: 'file', target: file.path, path: file.path, mode: file.mode, bytes: file.content.length, why: file.why };
  switch (entry.kind) {
    case 'missing':
      return write;
    case 'symlink':
      return { ...write, why: `${file.why}; replaces the symlink to ${entry.target}` };
    case 'file':
      if (!sameBytes(entry.content, file.content)) return { ...write, why: `${file.why}; the installed copy differs` };
      if (entry.mode !== file.mode) return { op: 'chmod', target: file.path, path: file.path, mode: file.mode, why: `${file.why}; mode is ${octal(entry.mode)}` };
      return undefined;
    case 'dir':
    case 'other':
      return `cannot install ${file.path}: a ${entry.kind === 'dir' ? 'directory' : 'special file'} is in the way`;
    default:
      return assertNever(entry);
  }
}

function enableStep(feature: Feature, observed: ReadonlyMap<string, ImageEntry>): InstallAction | string | undefined {
  const unit = feature.unit.name;
  const links = enableLinks(feature);
  // setmac has no [Install] section: the udev rule is its enablement (a wanted file above).
  if (links.length === 0) return undefined;
  const mask = observed.get(`${ADMIN_UNIT_DIR}/${unit}`);
  if (mask?.kind === 'symlink' && mask.target === '/dev/null') return `${unit} is masked (${ADMIN_UNIT_DIR}/${unit} -> /dev/null): not enabling it; systemctl unmask it first`;
  const pending = links.filter((link) => !isEnabledLink(observed.get(link.path), unit));
  for (const link of pending) {
    const entry = observed.get(link.path) ?? { kind: 'missing' };
    if (entry.kind !== 'missing') return `cannot enable ${unit}: ${link.path} exists${entry.kind === 'symlink' ? ` and points to ${entry.target}` : ''}`;
  }
  if (pending.length === 0) return undefined;
  const wants = links.map((link) => link.path.split('/').at(-2)).join(', ');
  return { op: 'enable', target: unit, unit, links, why: `started at boot: [Install] puts it in ${wants}` };
}

/** One line per action, for logs and the dry-run listing. */
export function describeInstallAction(action: InstallAction, root: string): string {
  switch (action.op) {
    case 'file':
      return `install ${action.path} (${action.bytes} bytes, mode ${octal(action.mode)})`;
    case 'chmod':
      return `chmod ${octal(action.mode)} ${action.path}`;
    case 'enable':
      return `enable ${action.unit}: systemctl --root ${root} enable ${action.unit} (without systemctl: ${action.links.map((link) => `${link.path} -> ${link.value}`).join(', ')})`;
    default:
      return assertNever(action);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
