// Builds the two small C programs of the FUSE model (native/*.c) with gcc, once per source version: the binaries
// are cached under node_modules/.cache/gba-fuse/<hash of the sources>/. Also says why FUSE cannot be used here.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The repository; the bench's bundled model server passes its own (esbuild's __dirname is the bundle's). */
const REPO = join(__dirname, '../..');

export interface NativeBinaries {
  /** The FUSE server: gba-fuse <mountpoint> <model prefix> <socket>. */
  server: string;
  /** The fake program, copied under the names `ip` and `modprobe`. */
  program: string;
}

function compile(native: string, source: string, output: string, cflags: string[], libs: string[]): void {
  const temp = `${output}.tmp-${process.pid}`;
  execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', ...cflags, join(native, source), '-o', temp, ...libs], { stdio: 'pipe' });
  renameSync(temp, output);
}

/** The binaries, compiled now if this version of the sources has not been compiled before. */
export function nativeBinaries(repo = REPO): NativeBinaries {
  const native = join(repo, 'test/fuse/native');
  const sources = ['gba-fuse.c', 'gba-program.c'];
  const hash = createHash('sha256');
  for (const source of sources) hash.update(readFileSync(join(native, source)));
  const dir = join(repo, 'node_modules/.cache/gba-fuse', hash.digest('hex').slice(0, 16));
  const server = join(dir, 'gba-fuse');
  const program = join(dir, 'gba-program');
  if (existsSync(server) && existsSync(program)) return { server, program };
  mkdirSync(dir, { recursive: true });
  const words = (flag: string) => pkgConfig(flag).split(/\s+/).filter(Boolean);
  compile(native, 'gba-fuse.c', server, words('--cflags'), words('--libs'));
  compile(native, 'gba-program.c', program, [], []);
  return { server, program };
}

function pkgConfig(flag: string): string {
  return execFileSync('pkg-config', [flag, 'fuse3'], { encoding: 'utf8' }).trim();
}

/** Why the FUSE model cannot run on this machine, or undefined when it can (the mount itself is tried by the caller). */
export function fuseUnavailable(repo = REPO): string | undefined {
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  if (process.getuid?.() !== 0) return 'not running as root';
  for (const [tool, args, pkg] of [
    ['gcc', ['--version'], 'gcc'],
    ['pkg-config', ['--exists', 'fuse3'], 'libfuse3-dev and pkg-config'],
    ['fusermount3', ['--version'], 'fuse3'],
  ] as const) {
    const probe = spawnSync(tool, args);
    if (probe.error || probe.status !== 0) return `${tool} ${args.join(' ')} failed (install ${pkg})`;
  }
  let binaries: NativeBinaries;
  try {
    binaries = nativeBinaries(repo);
  } catch (error) {
    return `cannot build the FUSE server: ${(error as { stderr?: Buffer }).stderr?.toString() ?? String(error)}`;
  }
  // /dev/fuse may exist where mounting is still not allowed (a container without CAP_SYS_ADMIN).
  const dir = mkdtempSync(join(tmpdir(), 'gba-fuse-probe-'));
  try {
    const probe = spawnSync(binaries.server, ['--probe', dir], { encoding: 'utf8', timeout: 10_000 });
    if (probe.status !== 0) return `cannot mount a FUSE file system: ${probe.stderr.trim() || probe.error?.message || `exit ${probe.status}`}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return undefined;
}
