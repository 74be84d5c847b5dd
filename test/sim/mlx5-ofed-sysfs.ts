// MLNX_OFED's per-VF files under the PF: `sriov/<k>/{node,port,policy}` (reference sriov §2.2, §2.3). They exist
// only with the OFED driver, from the moment sriov_configure runs (before the VFs themselves appear).
import type { Vport } from './mlx5-guid.js';
import { colonGuid, parsePolicy, scanOfedGuid } from './mlx5-guid.js';
import type { Vfs } from './vfs.js';

/** Firmware access for VF k: modify throws an Errno when firmware refuses (MODIFY_HCA_VPORT_CONTEXT). */
export interface VportAccess {
  get(k: number): Vport;
  modify(k: number, change: Partial<Vport>): void;
}

/** The `sriov/<k>` directory of VF k, mode 0644 files. */
export function addOfedVf(vfs: Vfs, pfDir: string, k: number, vports: VportAccess): void {
  const dir = `${pfDir}/sriov/${k}`;
  vfs.attr(`${dir}/node`, { read: () => `${colonGuid(vports.get(k).node)}\n`, write: (value) => vports.modify(k, { node: scanOfedGuid(value) }) });
  // `port` reads GID 0 of the VF's vport: the sim lets it show a written value at once (§2.4: UNCONFIRMED on hardware).
  vfs.attr(`${dir}/port`, { read: () => `${colonGuid(vports.get(k).port)}\n`, write: (value) => vports.modify(k, { port: scanOfedGuid(value) }) });
  vfs.attr(`${dir}/policy`, { read: () => `${vports.get(k).policy}\n`, write: (value) => vports.modify(k, { policy: parsePolicy(value) }) });
}

/** mlx5_destroy_vfs_sysfs: the `sriov/<k>` directories go; `sriov/` itself stays until the PF goes. */
export function removeOfedVfs(vfs: Vfs, pfDir: string, count: number): void {
  for (let k = 0; k < count; k++) vfs.remove(`${pfDir}/sriov/${k}`);
}
