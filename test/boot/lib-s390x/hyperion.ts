// SDL Hercules "Hyperion" 4.9 (an emulated IBM Z whose QETH device the real Linux qeth driver accepts), built
// from the vendored source tarball at test time — the repository holds no Hercules code or binary — and cached
// under $GBA_IMAGE_CACHE keyed by the tarball's sha256, which is checked first.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { cacheDir, isAlive } from '../../image/debian-root.js';
import { hostEnv, mustRun } from '../../image/process.js';
import { REPO } from './initrd.js';

export const HYPERION_SHA256 = '86287bf92ed8876996a27c3601a7183337ad66b667a70eeab1a192bdf42b9e4d';
export const HYPERION_TARBALL = process.env.GBA_HYPERION_TARBALL || join(REPO, '../shared/vendor/sdl-hyperion-4.9-2d2c4054.tar.xz');
/** Programs the build runs (the tarball ships configure and libtool); it also links libltdl, zlib and libbz2 (libltdl-dev, zlib1g-dev, libbz2-dev). */
export const HYPERION_BUILD_TOOLS = { gcc: 'gcc', make: 'make', xz: 'xz-utils', tar: 'tar' };
const BUILD_TIMEOUT_MS = 40 * 60_000;

export interface Hyperion {
  /** The install prefix: bin/hercules, lib/… */
  prefix: string;
  hercules: string;
  built: boolean;
  seconds: number;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The cached Hyperion build; builds it (nice'd, ≈ 150 s on 2 idle cores) when it is not there. */
export async function ensureHyperion(log: (line: string) => void): Promise<Hyperion> {
  const started = Date.now();
  const prefix = join(cacheDir(), `s390x-hyperion-${HYPERION_SHA256.slice(0, 16)}`);
  const hercules = join(prefix, 'bin/hercules');
  const done = (built: boolean): Hyperion => ({ prefix, hercules, built, seconds: (Date.now() - started) / 1000 });
  if (existsSync(join(prefix, 'complete')) && existsSync(hercules)) return done(false);

  if (!existsSync(HYPERION_TARBALL)) throw new Error(`the Hyperion source ${HYPERION_TARBALL} is missing (see ../shared/vendor/README.md; GBA_HYPERION_TARBALL names another copy)`);
  const actual = await sha256(HYPERION_TARBALL);
  if (actual !== HYPERION_SHA256) throw new Error(`${HYPERION_TARBALL} has sha256 ${actual}, expected ${HYPERION_SHA256}: refusing to build it`);
  mkdirSync(cacheDir(), { recursive: true });
  for (const name of readdirSync(cacheDir())) {
    const pid = /^\.s390x-hyperion-src-(\d+)-/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) rmSync(join(cacheDir(), name), { recursive: true, force: true });
  }
  // Hercules finds its loadable modules under the configured prefix, so it is built for its final place; the
  // `complete` marker, written last, is what makes it count as cached.
  rmSync(prefix, { recursive: true, force: true });
  const src = mkdtempSync(join(cacheDir(), `.s390x-hyperion-src-${process.pid}-`));
  try {
    log(`Hyperion: building ${HYPERION_TARBALL} (sha256 checked) into ${prefix}`);
    await mustRun('tar', ['-xJf', HYPERION_TARBALL, '-C', src], { timeoutMs: 300_000 });
    const jobs = String(Math.max(1, cpus().length));
    const env = hostEnv();
    await mustRun('nice', ['./configure', `--prefix=${prefix}`, '--enable-optimization=yes'], { cwd: src, env, timeoutMs: BUILD_TIMEOUT_MS });
    await mustRun('nice', ['make', `-j${jobs}`], { cwd: src, env, timeoutMs: BUILD_TIMEOUT_MS });
    await mustRun('make', ['install'], { cwd: src, env, timeoutMs: BUILD_TIMEOUT_MS });
    if (!existsSync(hercules)) throw new Error(`Hyperion built, but ${hercules} is missing`);
    writeFileSync(join(prefix, 'complete'), `built ${new Date().toISOString()} from ${HYPERION_TARBALL} (sha256 ${HYPERION_SHA256})\n`);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
  return done(true);
}
