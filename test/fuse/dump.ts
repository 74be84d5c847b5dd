// A canonical dump of everything the model holds: the whole /sys and /proc tree (directories, link targets, the
// value of every readable attribute) and, for Mellanox PFs, the firmware state only netlink shows (VF GUIDs and
// policies in inbox mode). Two machines are in the same state when their dumps are equal.
//
// Left out, because they count history rather than state: interface indexes (`ifindex`: a new netdev gets the
// next number, as in the kernel) and how often a VF was probed.
import type { SimKernel } from '../sim/kernel.js';

const HISTORY = /\/ifindex$/;

export async function dumpModel(kernel: SimKernel, pfs: readonly string[] = []): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await kernel.vfs.list(dir)) {
      const path = `${dir === '/' ? '' : dir}/${name}`;
      const stat = kernel.vfs.lstat(path);
      if (stat.kind === 'link') lines.push(`${path} -> ${stat.target}`);
      else if (stat.kind === 'dir') {
        lines.push(`${path}/`);
        await walk(path);
      } else if (HISTORY.test(path)) lines.push(`${path} (history)`);
      else if (!stat.readable) lines.push(`${path} (write-only)`);
      else lines.push(`${path} = ${await kernel.vfs.read(path).catch((error: { code?: string }) => `!${error.code ?? 'error'}`)}`.trimEnd());
    }
  };
  await walk('/');
  for (const address of pfs) {
    const view = kernel.pf(address);
    const vfs = view?.vfs.map(({ probes: _probes, ...vf }) => vf);
    lines.push(`pf ${address} ${JSON.stringify(view && { ...view, vfs })}`);
  }
  return lines;
}
