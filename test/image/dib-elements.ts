// What disk-image-create does with elements before running anything: expand element-deps, merge the
// elements into one hooks directory, and pick and order a phase's scripts as dib-run-parts does.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Elements a real build would add that this test does not have, and why leaving each out changes nothing:
 * the test must not silently drop a dependency it knows nothing about.
 */
export const LEFT_OUT: Record<string, string> = {
  'package-installs':
    'it installs what package-installs.yaml lists (nodejs, unless a tarball is pinned); the debootstrap --include list already has it (checked by the test)',
  'pkg-map': "it maps package-installs' names per distribution; the test maps them itself (pkgMap below) and checks the result is in the root",
};

/** element-info's expansion: the named elements and everything their element-deps pull in, depth first. */
export function expandElements(names: readonly string[], elementsDir: string): string[] {
  const seen: string[] = [];
  const visit = (name: string, via: string) => {
    if (seen.includes(name) || name in LEFT_OUT) return;
    if (!existsSync(join(elementsDir, name))) throw new Error(`element ${name} (needed by ${via}) is neither in ${elementsDir} nor in LEFT_OUT`);
    seen.push(name);
    for (const dep of readList(join(elementsDir, name, 'element-deps'))) visit(dep, name);
  };
  for (const name of names) visit(name, 'the command line');
  return seen;
}

/**
 * The package names of an element's package-installs.yaml that package-installs-squash keeps for this build:
 * top-level keys, each with an optional `when: VAR = value` / `when: VAR != value` (DIB's _when: an unset
 * VAR is an error). Only the subset of DIB's YAML the elements here use.
 */
export function packageInstalls(elementDir: string, env: NodeJS.ProcessEnv): string[] {
  const names: string[] = [];
  for (const line of readList(join(elementDir, 'package-installs.yaml'))) {
    const when = /^when:\s*(\w+)\s*(!=|=)\s*(.*)$/.exec(line);
    if (!when) {
      if (!/^[\w.+-]+:$/.test(line)) throw new Error(`package-installs.yaml: the test cannot read ${JSON.stringify(line)}`);
      names.push(line.slice(0, -1));
      continue;
    }
    const [, name, op, value] = when;
    const actual = env[name!];
    if (actual === undefined) throw new Error(`package-installs.yaml: when: ${name} is not set (DIB's package-installs fails too)`);
    if ((op === '=') !== (actual === value)) names.pop();
  }
  return names;
}

/** pkg-map's family of a distribution (DIB's os_family). */
export function osFamily(distro: string): string | undefined {
  if (['almalinux', 'fedora', 'rhel', 'centos', 'openeuler', 'rocky'].includes(distro)) return 'redhat';
  if (['debian', 'ubuntu'].includes(distro)) return 'debian';
  return { opensuse: 'suse', gentoo: 'gentoo' }[distro];
}

/**
 * DIB's pkg-map --missing-ok for one element: default < family < distro < release (the most specific wins), an
 * empty name drops the package, a name without a mapping passes through.
 */
export function pkgMap(elementDir: string, distro: string, release: string, names: readonly string[]): string[] {
  const path = join(elementDir, 'pkg-map');
  if (!existsSync(path)) return [...names];
  const map = JSON.parse(readFileSync(path, 'utf8')) as { default?: Record<string, string>; family?: Record<string, Record<string, string>>; distro?: Record<string, Record<string, string>>; release?: Record<string, Record<string, Record<string, string>>> };
  const family = osFamily(distro);
  const majorRelease = release === '8-stream' ? '8' : release;
  const merged = { ...map.default, ...(family ? map.family?.[family] : {}), ...map.distro?.[distro], ...map.release?.[distro]?.[majorRelease] };
  return names.flatMap((name) => (name in merged ? (merged[name] ? [merged[name]!] : []) : [name]));
}

/**
 * generate_hooks: every element's subdirectories (except tests/) merged into one tree, a file name seen
 * twice in one phase is an error (copy_hooks_not_overwrite); modes are kept (cp -a, like copyFile).
 */
export function generateHooks(elements: readonly string[], elementsDir: string, hooks: string): void {
  mkdirSync(hooks, { recursive: true });
  for (const element of elements) {
    const dir = join(elementsDir, element);
    // Top-level files (element-deps, README.rst …) land in the hooks root, the last element's copy winning.
    for (const name of readdirSync(dir).filter((entry) => statSync(join(dir, entry)).isFile())) copyFileSync(join(dir, name), join(hooks, name));
    for (const phase of readdirSync(dir).filter((name) => name !== 'tests' && statSync(join(dir, name)).isDirectory())) {
      mkdirSync(join(hooks, phase), { recursive: true });
      for (const name of readdirSync(join(dir, phase))) {
        const target = join(hooks, phase, name);
        if (existsSync(target)) throw new Error(`duplicated hook ${element}/${phase}/${name}: DIB refuses the build`);
        copyFileSync(join(dir, phase, name), target);
      }
    }
  }
}

/**
 * dib-run-parts' selection and order: executable files (symlinks followed) whose names match
 * ^[0-9A-Za-z_-]+$, sorted by `LANG=C sort -n`: by the leading number, then byte by byte.
 */
export function runPartsOrder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^[0-9A-Za-z_-]+$/.test(name))
    .filter((name) => {
      const stat = statSync(join(dir, name));
      return stat.isFile() && (stat.mode & 0o111) !== 0;
    })
    .sort(compareSortN);
}

/** dib-run-parts' environment.d files: any regular file with a name of [0-9A-Za-z_.-], in `sort -n` order. */
export function environmentFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^[0-9A-Za-z_.-]+$/.test(name) && statSync(join(dir, name)).isFile())
    .sort(compareSortN);
}

/** GNU `sort -n` in the C locale: numeric prefix (none counts as 0), then the whole line as bytes. */
export function compareSortN(a: string, b: string): number {
  const number = (text: string) => Number(/^-?\d+/.exec(text)?.[0] ?? 0);
  return number(a) - number(b) || Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function readList(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}
