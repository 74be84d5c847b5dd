// Before any image test file: every pristine root of the matrix and the pinned Node tarball, made in parallel
// on a cold cache (each is mostly waiting for the mirror or the registry), found in the cache otherwise. The
// test files then only extract their copies.
import { ensurePristineRoot, RELEASES } from './debian-root.js';
import { ensureNodeTarball } from './node-tarball.js';

export default async function setup(): Promise<void> {
  if (process.env.GBA_SKIP_IMAGE_TEST === '1' || process.getuid?.() !== 0) return;
  const log = (line: string) => console.log(`image: ${line}`);
  const started = Date.now();
  const made = await Promise.all([
    ...Object.values(RELEASES).map(async (release) => {
      const root = await ensurePristineRoot(release, log);
      return `${release.suite} ${root.built ? 'built' : 'cached'} (${root.seconds.toFixed(1)} s)`;
    }),
    ensureNodeTarball(log).then((tarball) => `node ${tarball.version} ${tarball.path}`),
  ]);
  log(`cache ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${made.join(', ')}`);
}
