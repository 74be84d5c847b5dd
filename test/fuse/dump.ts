// A canonical dump of everything the model holds: the whole /sys and /proc tree (directories, link targets, the
// value of every readable attribute) and, for Mellanox PFs, the firmware state only netlink shows (VF GUIDs and
// policies in inbox mode). Two machines are in the same state when their dumps are equal.
//
// Left out, because they count history rather than state: interface indexes (`ifindex`: a new netdev gets the
// next number, as in the kernel), how often a VF was probed, and the numbers in names the kernel hands out in
// probe order (`ib5`, `mlx5_7`: VFs probed concurrently take them in any order): each such name is replaced by
// the PCI function it belongs to; and the queue pair number in an IPoIB hardware address (its first 4 bytes:
// the next free QPN at the interface's creation).
import type { SimKernel } from '../sim/kernel.js';

const HISTORY = /\/ifindex$/;
/** A 20-byte IPoIB address: 4 bytes of flags and QPN, then the 16-byte GID. */
const IPOIB_QPN = /= (?:[0-9a-f]{2}:){4}((?:[0-9a-f]{2}:){15}[0-9a-f]{2})$/;

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
  return canonicalNames(lines);
}

/** `ib5` → `<net of 0000:02:00.2>`, `mlx5_7` → `<infiniband of 0000:02:00.2>` everywhere; lines sorted again. */
function canonicalNames(lines: string[]): string[] {
  const names = new Map<string, string>();
  for (const line of lines) {
    const match = /^\/sys\/class\/(net|infiniband)\/([^ /]+) -> .*\/([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\/(?:net|infiniband)\/\2$/.exec(line);
    if (match) names.set(match[2]!, `<${match[1]} of ${match[3]}>`);
  }
  if (names.size === 0) return lines;
  const pattern = new RegExp(`(?<![\\w])(${[...names.keys()].map((name) => name.replace(/[.]/g, '\\.')).join('|')})(?![\\w])`, 'g');
  return lines.map((line) => line.replace(pattern, (name) => names.get(name)!).replace(IPOIB_QPN, '= <qpn>:$1')).sort();
}
