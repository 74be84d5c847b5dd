// Builders so SR-IOV tests read as a description of the machine:
//   simSriov({ pfs: [mlx5Pf('0000:01:00.0', { portGuid: '04bd700300374486', totalVfs: 8, mode: 'inbox' })],
//              vendorData: vendorDataFor({ '04bd700300374486': ['fefeab03004f86b9'] }) })
import { SimKernel } from './kernel.js';
import type { Mlx5PfSpec, SriovSpec, VfPreset } from './pci-spec.js';
import type { SimHost } from './sim-host.js';
import { createSimHost } from './sim-host.js';

export type { Mlx5PfSpec, SriovSpec, VfPreset };

/** The operator-input path simSriov stores `vendorData` under: run `sriov --vendor-data ${VENDOR_DATA_FILE}`. */
export const VENDOR_DATA_FILE = 'vendor_data2.json';

/** One ConnectX port as a PCI physical function (default: MLNX_OFED driver, autoprobe on, no VFs yet). */
export function mlx5Pf(address: string, options: Omit<Mlx5PfSpec, 'address'>): Mlx5PfSpec {
  return { address, ...options };
}

/** VFs an earlier run left as wanted: GUIDs in firmware, policy Follow, bound, and seeing those GUIDs. */
export function configuredVfs(guids: readonly string[]): VfPreset[] {
  return guids.map((guid) => ({ guid, policy: 'Follow', bound: true }));
}

/** A vendor_data2.json document asking for `vfs` (physical GUID → its VF GUIDs, the [pf][vf] layout). */
export function vendorDataFor(vfs: Record<string, string[]>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mlnx_sriov: { enable_sriov: true, physical_guids: Object.keys(vfs), virtual_guids: Object.values(vfs), ...extra } };
}

/** A machine with Mellanox adapters and a Host over it; `vendorData` (a document, or raw text) is an operator input. */
export function simSriov(options: SriovSpec & { vendorData?: unknown; files?: Record<string, string> }): { kernel: SimKernel; host: SimHost } {
  const { vendorData, files, ...sriov } = options;
  const kernel = new SimKernel({ devices: [], sriov });
  const inputs: Record<string, string> = {};
  if (vendorData !== undefined) inputs[VENDOR_DATA_FILE] = typeof vendorData === 'string' ? vendorData : JSON.stringify(vendorData);
  return { kernel, host: createSimHost(kernel, { inputs, ...(files ? { files } : {}) }) };
}

/** The two-PF machine the sriov component tests and sweeps share: PF addresses, their port GUIDs, the VF GUIDs the
 * vendor data gives each, and a GUID no VF should see (a VF probed with it needs a rebind). */
export const PF_A = '0000:01:00.0';
export const PF_B = '0000:02:00.0';
export const PORT_A = '04bd700300374486';
export const PORT_B = '04bd700300374487';
export const VFS_A = ['fefeab03004f86b9', 'fefe2b03002a5777'];
export const VFS_B = ['fefe1103000000b1', 'fefe1103000000b2'];
export const STALE = 'fefe0000000000aa';
