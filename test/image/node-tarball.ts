// An official Node build in the layout the element takes (node-v<version>-linux-<arch>.tar.xz), made from the
// npm registry package that ships the official binary (node-linux-<arch>: the same files under package/),
// cached beside the roots. Its SHA-256 is computed here, from the file, as the element checks it.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './debian-root.js';
import { removeTree } from './mounts.js';
import { hostEnv, mustRun } from './process.js';

/** An LTS release whose official binaries need glibc >= 2.28 (Debian 11 has 2.31). Exact: a pin, not a range. */
export const NODE_VERSION = '22.23.5';
const NPM_ARCH: Record<string, string> = { x64: 'x64', arm64: 'arm64', s390x: 's390x', ppc64: 'ppc64le' };

export interface NodeTarball {
  path: string;
  sha256: string;
  version: string;
  arch: string;
}

/** The cached tarball; npm pack (which checks the registry's integrity hash) and a repack make it when missing. */
export async function ensureNodeTarball(log: (line: string) => void): Promise<NodeTarball> {
  const arch = NPM_ARCH[process.arch];
  if (!arch) throw new Error(`no official Node build for ${process.arch}`);
  const dir = cacheDir();
  const name = `node-v${NODE_VERSION}-linux-${arch}`;
  const path = join(dir, `${name}.tar.xz`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const work = mkdtempSync(join(dir, `.node-${process.pid}-`));
    try {
      const pkg = `node-linux-${arch}@${NODE_VERSION}`;
      log(`image cache: ${path} missing; npm pack ${pkg} and repack it as ${name}/`);
      // npm's own environment (registry, proxy, cache) plus the system PATH for tar and xz.
      await mustRun('npm', ['pack', pkg, '--pack-destination', work, '--silent'], { env: { ...process.env, PATH: `${process.env.PATH}:${hostEnv().PATH}` }, timeoutMs: 600_000 });
      const tgz = readdirSync(work).find((entry) => entry.endsWith('.tgz'));
      if (!tgz) throw new Error(`npm pack ${pkg} left no .tgz in ${work}`);
      mkdirSync(join(work, name));
      await mustRun('tar', ['--extract', '--gzip', '--file', join(work, tgz), '--strip-components=1', '--no-same-owner', '-C', join(work, name)], { timeoutMs: 300_000 });
      await mustRun('rm', ['-f', '--', join(work, name, 'package.json')]);
      // xz -1: the cache is local; the element only needs a valid .tar.xz.
      await mustRun('tar', ['--create', '--file', join(work, 'node.tar.xz'), '--use-compress-program=xz -1 -T0', '--owner=0', '--group=0', '--numeric-owner', '-C', work, name], { timeoutMs: 600_000 });
      renameSync(join(work, 'node.tar.xz'), path);
    } finally {
      await removeTree(work);
    }
  }
  return { path, sha256: await sha256File(path), version: NODE_VERSION, arch };
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
