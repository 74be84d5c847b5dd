// The production host on a test root, but running this machine's own mount, umount and blkid: what the
// config-drive tests need (a real loop device), and what a run of the agent with --root refuses (DESIGN §2).
import { createExec } from '../../src/host/exec.js';
import type { Host } from '../../src/host/host.js';
import { createNodeHost } from '../../src/host/node-host.js';

/** createNodeHost(root) with the live system's programs allowed, as on a root of "/". */
export function createLiveProgramsHost(root: string): Host {
  return { ...createNodeHost(root), exec: createExec('/') };
}
