// The fixture vocabulary: plain JSON-serialisable data describing a simulated LPAR (scenario.ts builds it, a
// scenario file for the benchmark bundle carries it, kernel.ts turns it into a running model).
import type { RenamePolicy } from './net-model.js';

/** One channel (ccw) device as the LPAR's I/O configuration defines it. */
export interface CcwSpec {
  /** `0.<ssid>.<devno>` (canonical lower case). */
  busId: string;
  /** Default `1731/01` (OSA QDIO); `1731/05` HiperSockets; `1731/02` OSM/OSX; anything else is not qeth's. */
  cutype?: string;
  /** Default: the one qeth_ids pairs with the cutype (`1732/01`, `1732/05`, `1732/03`), else `n/a`. */
  devtype?: string;
  /** The subchannel's first installed CHPID, 2 hex digits; default `11`. */
  chpid?: string;
  /** The subchannel's bus id; default `0.0.<index in the device list>`. */
  subchannel?: string;
  /** Omitted: bound by whichever loaded driver lists it (qeth once loaded). null: no driver ever binds it.
   * A name: that built-in driver binds it as soon as it is registered (e.g. `ctcm`). */
  driver?: string | null;
  /** Set on the read device: the device and these members are already a qeth group at boot. */
  group?: GroupPreset;
}

/** A group that exists at boot (udev rules, an earlier run): members in read, write, data order. */
export interface GroupPreset {
  members: string[];
  online?: boolean;
  layer2?: 0 | 1;
  portno?: number;
  bufferCount?: number;
  /** For an online preset: the interface still has its kernel name (udev has not renamed it yet). */
  kernelName?: boolean;
  /** For an online preset: the interface's current MAC. */
  mac?: string;
}

export interface QethKernelOptions {
  /** Nested arrays (one per triple) are flattened. */
  devices: (CcwSpec | CcwSpec[])[];
  /** The qeth module is loaded at boot (default false: `/sys/bus/ccwgroup/drivers/qeth` absent until modprobe). */
  moduleLoaded?: boolean;
  /** `cio_ignore=` kernel parameter items, e.g. `all`, `!condev`, `0.0.0004-0.0.0006`. */
  ignored?: string[];
  /** How long `online=1` blocks (hardsetup). Default 5 ms. */
  onlineLatencyMs?: number;
  /** How long `online=0` blocks. Default 0. */
  offlineLatencyMs?: number;
  /** How long freed devices take to appear after `free` (asynchronous CIO evaluation). Default 30 ms. */
  appearDelayMs?: number;
  /** udev's rename of a new interface; default `{ mode: 'delay', ms: renameDelayMs }`. */
  rename?: RenamePolicy;
  /** Shorthand for `rename: { mode: 'delay', ms }`; default 20 ms. */
  renameDelayMs?: number;
  /** How long `modprobe` takes. Default 0. */
  modprobeLatencyMs?: number;
  /** Modules not installed under /lib/modules (modprobe: FATAL; request_module fails), e.g. `['qeth_l3']`. */
  missingModules?: string[];
  /** Shorthand for `missingModules: ['qeth']`: modprobe qeth fails with exit 1. */
  modprobeFails?: boolean;
  /** Ports per OSA adapter (ssqd.pcnt); portno beyond it is EINVAL. Default 2 (HiperSockets: 1). */
  portCount?: number;
  /** Layer forced at group time by bus id of the read device (z/VM NIC), e.g. `{ '0.0.0600': 1 }`. */
  enforcedLayer?: Record<string, 0 | 1>;
  /** The console device, for the `condev` cio_ignore keyword (LPARs under DPM have none). */
  condev?: string;
}
