// A simulated machine described as JSON, so a separate process (the sim bundle) can build the same kernel.
import { SimKernel } from './kernel.js';
import type { SriovSpec } from './pci-spec.js';
import type { ProgramModel } from './programs.js';
import type { QethKernelOptions } from './spec.js';
import type { Vfs } from './vfs.js';

export interface ScenarioFile {
  qeth?: QethKernelOptions;
  /** Mellanox InfiniBand adapters (PCI SR-IOV with mlx5), their timing, faults and latencies. */
  sriov?: SriovSpec;
}

/** What a host is built from: the sysfs tree and the programs (`createSimHost(machine.tree, machine.programs)`). */
export interface SimMachine {
  kernel: SimKernel;
  tree: Vfs;
  programs: ProgramModel[];
}

/** Builds the kernel models a scenario names on one sysfs tree. */
export function buildMachine(scenario: ScenarioFile): SimMachine {
  const kernel = new SimKernel({ ...(scenario.qeth ?? { devices: [] }), ...(scenario.sriov ? { sriov: scenario.sriov } : {}) });
  return { kernel, tree: kernel.vfs, programs: kernel.programs };
}
