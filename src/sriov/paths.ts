// Kernel paths of PCI SR-IOV and mlx5 IB virtualisation (reference sriov-sysfs §1, §2).

export const NET_CLASS = '/sys/class/net';
export const PCI_DEVICES = '/sys/bus/pci/devices';
export const PCI_DRIVERS = '/sys/bus/pci/drivers';
export const VF_DRIVER_NAME = 'mlx5_core';
export const MELLANOX_VENDOR = '0x15b3';
/** ARPHRD_INFINIBAND, as /sys/class/net/<if>/type prints it. */
export const INFINIBAND_TYPE = '32';

/** A PCI function's directory (PF or VF), by its address `dddd:bb:dd.f`. */
export const pciDevice = (address: string): string => `${PCI_DEVICES}/${address}`;
/** An attribute of a PCI function: sriov_numvfs, sriov_totalvfs, sriov_drivers_autoprobe, driver_override, driver. */
export const pciAttr = (address: string, name: string): string => `${pciDevice(address)}/${name}`;
/** The link from a PF to its VF k. */
export const virtfn = (pf: string, k: number): string => pciAttr(pf, `virtfn${k}`);
/** MLNX_OFED only: the per-VF GUID and policy files of VF k. */
export const ofedVfAttr = (pf: string, k: number, name: 'node' | 'port' | 'policy'): string => pciAttr(pf, `sriov/${k}/${name}`);
/** A PCI driver's bind or unbind file. */
export const pciDriverAttr = (driver: string, name: 'bind' | 'unbind'): string => `${PCI_DRIVERS}/${driver}/${name}`;
/** The sriov run's intent record: temporary settings (autoprobe off, driver_override) and how to undo each. */
// Spelled out: the planner must stay pure, and state.ts does I/O (test/unit/sriov/plan.test.ts checks it is in STATE_DIR).
export const SRIOV_INTENT_RECORD = '/run/guest-boot-agent/sriov-intent.json';
