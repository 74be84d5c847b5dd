// One boot's initrd: the cached base archive, then a small archive of its own (/init, the harness library and
// the bundle). The kernel unpacks concatenated newc archives in order, so nothing cached is rebuilt per run.
import { chmodSync, copyFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { mustRun } from '../../image/process.js';
import { makeCpio } from './s390x-root.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const BUNDLE = join(REPO, 'dist/guest-boot-agent.js');
const GUEST_LIB = fileURLToPath(new URL('./guest-lib.sh', import.meta.url));

/** Writes `<work>/initrd.cpio`: base + /init (the given script) + /gba/{guest-lib.sh, guest-boot-agent.js}. */
export async function makeInitrd(work: string, baseCpio: string, initScript: string): Promise<string> {
  const overlay = join(work, 'overlay');
  mkdirSync(join(overlay, 'gba'), { recursive: true });
  mkdirSync(join(overlay, 'dev'), { recursive: true });
  // Init's stdout: the kernel opens /dev/console before devtmpfs is mounted.
  await mustRun('mknod', ['-m', '600', join(overlay, 'dev/console'), 'c', '5', '1']);
  copyFileSync(initScript, join(overlay, 'init'));
  chmodSync(join(overlay, 'init'), 0o755);
  copyFileSync(GUEST_LIB, join(overlay, 'gba/guest-lib.sh'));
  copyFileSync(BUNDLE, join(overlay, 'gba/guest-boot-agent.js'));
  await makeCpio(overlay, join(work, 'overlay.cpio'));
  const initrd = join(work, 'initrd.cpio');
  const out = createWriteStream(initrd);
  for (const part of [baseCpio, join(work, 'overlay.cpio')]) await pipeline(createReadStream(part), out, { end: false });
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return initrd;
}
