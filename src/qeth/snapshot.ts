// What observeQeth sees: plain data, JSON-serialisable (show --json prints it).
import type { BusId } from '../values/bus-id.js';
import type { CioRange } from './cio-ignore.js';

/** CU types qeth drives (reference §1.3): OSA-Express QDIO and HiperSockets. */
export const QETH_CUTYPES: Readonly<Record<string, string>> = { '1731/01': 'OSA', '1731/05': 'HiperSockets' };

/** A visible channel (ccw) device. */
export interface CcwState {
  busId: BusId;
  cutype: string;
  online: boolean;
  /** Bus id of the group this device is a member of, or null. */
  groupDevice: string | null;
  /** Whether the qeth ccw driver is bound (it is once the module is loaded). */
  boundToQeth: boolean;
  /** First installed CHPID of the subchannel, two lower-case hex digits, or null if unreadable. */
  chpid: string | null;
}

/** A qeth group device, named after its read device. */
export interface GroupState {
  busId: BusId;
  online: boolean;
  /** Adapter port number, or null if unreadable. */
  portno: number | null;
  /** -1 (not chosen yet), 0 (layer 3), 1 (layer 2), or null if unreadable. */
  layer2: number | null;
  /** Interfaces under the group's net/ directory. */
  netdevs: string[];
}

export interface QethSnapshot {
  /** /sys/bus/ccwgroup/drivers/qeth exists. */
  driverLoaded: boolean;
  /** Parsed /proc/cio_ignore; empty when the file is absent (nothing hidden). */
  cioIgnore: CioRange[];
  /** Observed ccw devices by bus id (only the ones the plan may need, or all when a data device must be chosen). */
  ccw: Record<string, CcwState>;
  /** Observed group devices by bus id. */
  groups: Record<string, GroupState>;
  /** Whether `ccw` lists every visible ccw device (needed to pick a data device that is not read+2). */
  ccwComplete: boolean;
}
