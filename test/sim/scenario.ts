// Builders so component tests read as scenarios: an LPAR with qeth devices, and a host over it.
import type { CcwSpec, QethKernelOptions } from './qeth-kernel.js';
import { QethKernel } from './qeth-kernel.js';
import type { SimHost } from './sim-host.js';
import { createSimHost, qethPrograms } from './sim-host.js';

/** The consecutive OSA triple starting at `read` (devno hex), on one CHPID. */
export function osaTriple(read: string, extra: Omit<CcwSpec, 'busId'> = {}): CcwSpec[] {
  const start = Number.parseInt(read, 16);
  return [0, 1, 2].map((offset) => ({ busId: `0.0.${(start + offset).toString(16).padStart(4, '0')}`, ...extra }));
}

/** A simulated LPAR: the kernel model and a Host over it, with `/proc/cmdline` in its files. */
export function simQeth(options: QethKernelOptions & { cmdline?: string }): { kernel: QethKernel; host: SimHost } {
  const kernel = new QethKernel(options);
  const files: Record<string, string> = options.cmdline === undefined ? {} : { '/proc/cmdline': `${options.cmdline}\n` };
  return { kernel, host: createSimHost(kernel.tree, [qethPrograms(kernel)], files) };
}
