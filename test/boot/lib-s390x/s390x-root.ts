// The s390x guest both boots share: Debian 12's s390x kernel and an initramfs of Debian's own s390x packages
// (busybox, kmod, iproute2, udev, nodejs 18 and their libraries), fetched with `apt-get download` and unpacked
// with `dpkg -x` — no s390x code runs on the host. Built once, cached under $GBA_IMAGE_CACHE.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheDir, isAlive } from '../../image/debian-root.js';
import { removeTree } from '../../image/mounts.js';
import { hostEnv, mustRun, run } from '../../image/process.js';

/** The programs the guest runs; everything else in the initramfs is what they need. */
const ROOTS = ['linux-image-s390x', 'busybox-static', 'kmod', 'iproute2', 'udev', 'nodejs'];
/**
 * Dependencies nothing in the initramfs uses (maintainer-script tooling, the kernel's initramfs generators).
 * The ELF check below proves the rest complete: every DT_NEEDED of every program and library is present.
 */
const NOT_NEEDED = new Set([
  'adduser', 'debconf', 'debconf-2.0', 'cdebconf', 'dpkg', 'perl-base', 'passwd', 'libcap2-bin', 'linux-base',
  'initramfs-tools', 'linux-initramfs-tool', 'dracut', 'dracut-core', 'coreutils', 'tar', 'install-info',
  'libpam-modules', 'libpam-modules-bin', 'libpam0g', 'libaudit1', 'libsemanage2', 'libsemanage-common',
]);
/**
 * Kernel modules kept (with their dependencies): the full tree is 139 MB, which Hercules would load into guest
 * memory on every IPL. qeth_l2 needs bridge, stp and llc; virtio_net drives QEMU's NICs. The results disk the
 * guest writes its outputs to: dasd_fba_mod (with dasd_mod) under Hyperion, virtio_blk under QEMU.
 */
const MODULES = ['qeth', 'qeth_l2', 'qeth_l3', 'ccwgroup', 'virtio_net', 'virtio_blk', 'dasd_mod', 'dasd_fba_mod'];
/** Bump when the steps below change what ends up in the cache. */
const RECIPE = 1;
const ARCH = 's390x';

export interface S390xGuest {
  kernel: string;
  /** Uncompressed newc cpio without /init: a run appends its own small archive. */
  initramfs: string;
  kernelVersion: string;
  /** One line per package: name and version. */
  manifest: string;
  built: boolean;
  seconds: number;
}

export function guestCacheKey(): string {
  return createHash('sha256').update(JSON.stringify({ recipe: RECIPE, roots: ROOTS, notNeeded: [...NOT_NEEDED].sort(), modules: MODULES })).digest('hex').slice(0, 16);
}

/** The cached kernel and base initramfs; fetches and builds them first when they are not there. */
export async function ensureS390xGuest(log: (line: string) => void): Promise<S390xGuest> {
  const started = Date.now();
  const dir = join(cacheDir(), `s390x-guest-${guestCacheKey()}`);
  const done = join(dir, 'complete');
  const result = (built: boolean): S390xGuest => ({
    kernel: join(dir, 'vmlinuz'),
    initramfs: join(dir, 'base.cpio'),
    kernelVersion: readFileSync(join(dir, 'kernel-version'), 'utf8').trim(),
    manifest: readFileSync(join(dir, 'packages.txt'), 'utf8'),
    built,
    seconds: (Date.now() - started) / 1000,
  });
  if (existsSync(done)) return result(false);

  mkdirSync(cacheDir(), { recursive: true });
  removeStale(cacheDir());
  const work = mkdtempSync(join(cacheDir(), `.s390x-guest-${process.pid}-`));
  try {
    await enableArchitecture(log);
    const packages = await dependencyClosure(ROOTS.map((name) => `${name}:${ARCH}`));
    log(`s390x guest: downloading ${packages.length} Debian packages: ${packages.join(' ')}`);
    const debs = join(work, 'debs');
    mkdirSync(debs);
    await mustRun('apt-get', ['download', ...packages], { cwd: debs, timeoutMs: 900_000 });
    const root = join(work, 'root');
    mkdirSync(root);
    const manifest: string[] = [];
    for (const deb of readdirSync(debs).sort()) {
      const fields = (await mustRun('dpkg-deb', ['-f', join(debs, deb), 'Package', 'Version', 'Architecture'])).stdout.trim().replace(/\n/g, ' ');
      if (!/Architecture: (s390x|all)$/.test(fields)) throw new Error(`s390x guest: ${deb} is not an s390x package (${fields})`);
      await mustRun('dpkg', ['-x', join(debs, deb), root]);
      manifest.push(fields);
    }
    mergeUsr(root);
    const kernelVersion = readdirSync(join(root, 'usr/lib/modules'))[0]!;
    const out = join(work, 'out');
    mkdirSync(out);
    copyFileSync(join(root, 'boot', `vmlinuz-${kernelVersion}`), join(out, 'vmlinuz'));
    rmSync(join(root, 'boot'), { recursive: true });
    await pruneModules(join(root, 'usr/lib/modules', kernelVersion));
    for (const sub of ['usr/share/doc', 'usr/share/man', 'usr/share/locale', 'usr/share/lintian', 'usr/share/bug', 'usr/share/info']) rmSync(join(root, sub), { recursive: true, force: true });
    await checkLibraries(root);
    for (const sub of ['proc', 'sys', 'dev', 'run', 'tmp', 'etc', 'root', 'var/tmp']) mkdirSync(join(root, sub), { recursive: true });
    symlinkSync('busybox', join(root, 'usr/bin/sh'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
    await makeCpio(root, join(out, 'base.cpio'));
    writeFileSync(join(out, 'kernel-version'), `${kernelVersion}\n`);
    writeFileSync(join(out, 'packages.txt'), `${manifest.join('\n')}\n`);
    writeFileSync(join(out, 'complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
  } finally {
    await removeTree(work);
  }
  return result(true);
}

/** `dpkg --add-architecture s390x` and an `apt-get update`, only when apt does not know s390x packages yet. */
async function enableArchitecture(log: (line: string) => void): Promise<void> {
  const foreign = (await mustRun('dpkg', ['--print-foreign-architectures'])).stdout.split('\n');
  const known = await run('apt-cache', ['show', '--no-all-versions', `busybox-static:${ARCH}`]);
  if (foreign.includes(ARCH) && known.code === 0 && known.stdout.trim()) return;
  log(`s390x guest: dpkg --add-architecture ${ARCH}; apt-get update`);
  await mustRun('dpkg', ['--add-architecture', ARCH]);
  await mustRun('apt-get', ['update'], { timeoutMs: 600_000, env: hostEnv({ DEBIAN_FRONTEND: 'noninteractive' }) });
}

/**
 * Depends and Pre-Depends of the roots, recursively, as apt specs (`libc6:s390x`; a bare name for an
 * Architecture: all package such as node-acorn). The first of alternatives; a virtual dependency by its first
 * provider; NOT_NEEDED left out.
 */
async function dependencyClosure(roots: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const base = (spec: string) => spec.replace(/:.*/, '');
  let queue = roots;
  while (queue.length > 0) {
    const fresh = [...new Set(queue)].filter((spec) => !seen.has(spec) && !NOT_NEEDED.has(base(spec)));
    if (fresh.length === 0) break;
    for (const spec of fresh) seen.add(spec);
    const out = (await mustRun('apt-cache', ['depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', ...fresh])).stdout;
    const next: string[] = [];
    let inAlternatives = false;
    let wantProvider = false;
    for (const line of out.split('\n')) {
      const provider = /^ {4}(\S+)$/.exec(line);
      if (provider) {
        if (wantProvider) next.push(provider[1]!);
        wantProvider = false;
        continue;
      }
      wantProvider = false;
      const dep = /^ {1,2}(\|?)(?:Pre)?Depends: (\S+)$/.exec(line);
      if (!dep) {
        inAlternatives = false;
        continue;
      }
      // "|Depends: a" means a or the next line: only the first of a group counts.
      const skip = inAlternatives;
      inAlternatives = dep[1] === '|';
      if (skip) continue;
      const name = dep[2]!;
      if (name.startsWith('<')) wantProvider = !NOT_NEEDED.has(base(name.slice(1)));
      else next.push(name);
    }
    queue = await qualify(next);
  }
  return [...seen].sort();
}

/** A bare name (a dependency of an Architecture: all package) means the s390x package unless it is itself all. */
async function qualify(specs: string[]): Promise<string[]> {
  const bare = [...new Set(specs.filter((spec) => !spec.includes(':') && !NOT_NEEDED.has(spec)))];
  if (bare.length === 0) return specs;
  // run, not mustRun: a purely virtual name makes apt-cache exit 100 after showing the others.
  const shown = (await run('apt-cache', ['show', '--no-all-versions', ...bare])).stdout;
  const archAll = new Set(shown.split(/\n\n+/).filter((stanza) => /^Architecture: all$/m.test(stanza)).map((stanza) => /^Package: (\S+)$/m.exec(stanza)?.[1]));
  return specs.map((spec) => (spec.includes(':') || archAll.has(spec) ? spec : `${spec}:${ARCH}`));
}

/** Debian 12 roots are merged-/usr: /bin, /sbin and /lib are links into /usr, so paths in either place work. */
function mergeUsr(root: string): void {
  for (const dir of ['bin', 'sbin', 'lib', 'lib64']) {
    const top = join(root, dir);
    if (existsSync(top) && !lstatSync(top).isSymbolicLink()) {
      moveInto(top, join(root, 'usr', dir));
      rmSync(top, { recursive: true });
    }
    mkdirSync(join(root, 'usr', dir), { recursive: true });
    symlinkSync(`usr/${dir}`, top);
  }
}

function moveInto(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    const target = join(to, name);
    if (lstatSync(source).isDirectory() && existsSync(target)) moveInto(source, target);
    else renameSync(source, target);
  }
}

/** Keeps MODULES and what they depend on (from each module's .modinfo), and the files depmod reads. */
async function pruneModules(dir: string): Promise<void> {
  const all = new Map<string, string>();
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = join(sub, name);
      if (lstatSync(join(dir, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.ko')) all.set(name.slice(0, -3).replace(/-/g, '_'), rel);
    }
  };
  walk('kernel');
  const keep = new Set<string>();
  const queue = [...MODULES];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (keep.has(name)) continue;
    const rel = all.get(name);
    if (!rel) throw new Error(`s390x guest: module ${name} is not in the kernel package (built in? check config-*)`);
    keep.add(name);
    const info = (await mustRun('readelf', ['-p', '.modinfo', join(dir, rel)])).stdout;
    const depends = /depends=(\S*)/.exec(info)?.[1] ?? '';
    queue.push(...depends.split(',').filter(Boolean).map((dep) => dep.replace(/-/g, '_')));
  }
  for (const [name, rel] of all) if (!keep.has(name)) rmSync(join(dir, rel));
  for (const name of readdirSync(dir)) if (/^modules\.(?!builtin|order)/.test(name)) rmSync(join(dir, name));
}

const PLUGIN_DIRS = ['usr/lib/s390x-linux-gnu/gconv', 'usr/lib/s390x-linux-gnu/tc'];

/** Every DT_NEEDED of every ELF file in the root is a file in the root's library directories. */
async function checkLibraries(root: string): Promise<void> {
  const libDirs = ['usr/lib/s390x-linux-gnu', 'usr/lib'];
  const elves: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = lstatSync(path);
      // Plugins loaded on demand (glibc's gconv, tc's qdiscs) are never loaded here.
      if (stat.isDirectory()) {
        if (!PLUGIN_DIRS.includes(relative(root, path))) walk(path);
      } else if (stat.isFile() && !name.endsWith('.ko') && readFileSync(path).subarray(0, 4).toString('latin1') === '\x7fELF') elves.push(path);
    }
  };
  for (const sub of ['usr/bin', 'usr/sbin', 'usr/lib/s390x-linux-gnu', 'usr/lib/systemd']) if (existsSync(join(root, sub))) walk(join(root, sub));
  const missing = new Set<string>();
  for (const elf of elves) {
    const dynamic = await run('readelf', ['-d', elf]);
    for (const match of dynamic.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)) {
      const lib = match[1]!;
      const found = libDirs.some((sub) => existsSync(join(root, sub, lib))) || existsSync(join(root, 'usr/lib/systemd', lib));
      if (!found) missing.add(`${relative(root, elf)} needs ${lib}`);
    }
  }
  if (missing.size > 0) throw new Error(`s390x guest: libraries missing from the initramfs:\n${[...missing].join('\n')}`);
}

/** An uncompressed newc cpio of `root` (owner root), as the kernel unpacks it and Hercules loads it. */
export async function makeCpio(root: string, out: string): Promise<void> {
  const names: string[] = [];
  const walk = (sub: string) => {
    for (const name of readdirSync(join(root, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      names.push(rel);
      const stat = lstatSync(join(root, rel));
      if (stat.isDirectory()) walk(rel);
    }
  };
  walk('');
  await mustRun('cpio', ['--create', '--format=newc', '--owner=0:0', '--quiet', `--file=${out}`], { cwd: root, input: `${names.join('\n')}\n`, timeoutMs: 300_000 });
}

/** Build directories left by a killed run. */
function removeStale(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^\.s390x-guest-(\d+)-/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) rmSync(join(dir, name), { recursive: true, force: true });
  }
}
