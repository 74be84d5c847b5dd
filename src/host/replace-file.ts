// Atomic replacement of a file: a temporary sibling is written, synced and renamed over the target, so a reader
// (or a crash) sees the old file or the new one, never half of one.
import type { promises } from 'node:fs';

/** The fs.promises calls it needs; memfs's `vol.promises` provides them too (tests). */
export type ReplaceFs = Pick<typeof promises, 'open' | 'rename' | 'rm'>;

let sequence = 0;

/**
 * `<target>.tmp-<pid>-<n>`: unique within this process, and the pid keeps concurrent agents apart. It is opened
 * with O_EXCL ('wx'), so a name someone else planted fails the write instead of being followed. No randomness is
 * needed for that, and leaving node:crypto unloaded saves start-up time on every boot.
 */
function tempSibling(target: string): string {
  sequence += 1;
  return `${target}.tmp-${process.pid}-${sequence}`;
}

/** Replaces `target` (its directory must exist) with `data`, mode exactly `mode`. Rejects with the raw error; the
 * target is then as it was and no temporary file is left behind. */
export async function replaceFile(fs: ReplaceFs, target: string, data: string | Uint8Array, mode: number): Promise<void> {
  const temp = tempSibling(target);
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(data);
      // The mode given to open() is masked by the umask: set it explicitly.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}
