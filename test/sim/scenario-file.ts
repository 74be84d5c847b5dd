// A simulated machine described as JSON, so a separate process (the sim bundle) can build the same kernel.
import type { QethKernelOptions } from './qeth-kernel.js';
import { QethKernel } from './qeth-kernel.js';
import type { ProgramModel } from './sim-host.js';
import { qethPrograms } from './sim-host.js';
import type { SysfsTree } from './sysfs-tree.js';

export interface ScenarioFile {
  qeth?: QethKernelOptions;
}

export interface SimMachine {
  tree: SysfsTree;
  programs: ProgramModel[];
}

/** Builds the kernel models a scenario names on one sysfs tree. */
export function buildMachine(scenario: ScenarioFile): SimMachine {
  const qeth = new QethKernel(scenario.qeth ?? { devices: [] });
  return { tree: qeth.tree, programs: [qethPrograms(qeth)] };
}
