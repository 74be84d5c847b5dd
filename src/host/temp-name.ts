// Names for the temporary sibling an atomic write renames into place.

let sequence = 0;

/**
 * `<target>.tmp-<pid>-<n>`: unique within this process, and the pid keeps concurrent agents apart. It is opened
 * with O_EXCL ('wx'), so a name someone else planted fails the write instead of being followed. No randomness is
 * needed for that, and leaving node:crypto unloaded saves start-up time on every boot.
 */
export function tempSibling(target: string): string {
  sequence += 1;
  return `${target}.tmp-${process.pid}-${sequence}`;
}
