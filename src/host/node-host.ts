// Composes the real Host for one root: the only place --root is applied.
import { realClock } from './clock.js';
import { createExec } from './exec.js';
import { createFiles } from './files.js';
import type { Host } from './host.js';
import { httpGet } from './http.js';
import { createOperatorInput } from './input.js';
import { createSysfs } from './sysfs.js';

/** The production host, rooted at `root` ("/" on a real boot). */
export function createNodeHost(root: string): Host {
  return {
    sysfs: createSysfs(root),
    files: createFiles(root),
    clock: realClock,
    // Another root never runs the live host's ip, modprobe, mount, umount or blkid (DESIGN §2).
    exec: createExec(root),
    http: { get: httpGet },
    input: createOperatorInput(() => process.stdin),
  };
}
