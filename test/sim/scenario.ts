// Builders so tests read as a description of the machine:
//   simQeth({ devices: [osaTriple('0.0.0001', { chpid: '11', group: preOnline({ portno: 1 }) })], ignored: ['all'] })
import { busIdFromDevno, busIdPlus, parseBusId } from '../../src/values/bus-id.js';
import { SimKernel } from './kernel.js';
import type { SimHost } from './sim-host.js';
import { createSimHost } from './sim-host.js';
import type { CcwSpec, GroupPreset, QethKernelOptions } from './spec.js';

export type { CcwSpec, GroupPreset, QethKernelOptions };

/** What a triple's read device may carry besides its own fields: a group state at boot. */
export type DeviceExtra = Omit<CcwSpec, 'busId' | 'group'> & { group?: Omit<GroupPreset, 'members'> };

/** One OSA-Express (QDIO, cutype 1731/01) channel device. */
export function osa(busId: string, extra: Omit<CcwSpec, 'busId'> = {}): CcwSpec {
  return { busId: canonical(busId), cutype: '1731/01', ...extra };
}

/** One HiperSockets (IQD, cutype 1731/05) channel device. */
export function hipersockets(busId: string, extra: Omit<CcwSpec, 'busId'> = {}): CcwSpec {
  return { busId: canonical(busId), cutype: '1731/05', chpid: 'f0', ...extra };
}

/** read, read+1, read+2 on one CHPID (DPM's norm). `read` may also be a bare devno, `0001`. */
export function osaTriple(read: string, extra: DeviceExtra = {}): CcwSpec[] {
  return triple(read, { cutype: '1731/01', ...extra });
}

export function hipersocketsTriple(read: string, extra: DeviceExtra = {}): CcwSpec[] {
  return triple(read, { cutype: '1731/05', chpid: 'f0', ...extra });
}

/** Grouped at boot, offline (e.g. by udev rules or an earlier run). */
export function preGrouped(settings: Omit<GroupPreset, 'members' | 'online' | 'kernelName' | 'mac'> = {}): Omit<GroupPreset, 'members'> {
  return { ...settings, online: false };
}

/** Grouped and online at boot, the interface already renamed by udev (unless `kernelName`). */
export function preOnline(settings: Omit<GroupPreset, 'members' | 'online'> = {}): Omit<GroupPreset, 'members'> {
  return { ...settings, online: true };
}

/** A simulated LPAR: the kernel and a Host over it, `/proc/cmdline` among its files when given. */
export function simQeth(options: QethKernelOptions & { cmdline?: string; files?: Record<string, string> }): { kernel: SimKernel; host: SimHost } {
  const kernel = new SimKernel(options);
  const files = { ...options.files, ...(options.cmdline === undefined ? {} : { '/proc/cmdline': `${options.cmdline}\n` }) };
  return { kernel, host: createSimHost(kernel, { files }) };
}

function triple(read: string, extra: DeviceExtra): CcwSpec[] {
  const { group, ...device } = extra;
  const first = parseBusId(canonical(read))!;
  const ids = [first, busIdPlus(first, 1), busIdPlus(first, 2)].map((id) => id ?? fail(`no triple fits after ${read}`));
  return ids.map((busId, index) => ({ busId, ...device, ...(index === 0 && group ? { group: { members: ids, ...group } } : {}) }));
}

/** Accepts `0.0.f500` in any case, or a bare devno (`f500`) meaning subchannel set 0. */
function canonical(id: string): string {
  const busId = parseBusId(id) ?? (/^[0-9a-f]{1,4}$/i.test(id) ? busIdFromDevno(Number.parseInt(id, 16)) : undefined);
  return busId ?? fail(`not a bus id: ${id}`);
}

function fail(message: string): never {
  throw new Error(`scenario: ${message}`);
}
