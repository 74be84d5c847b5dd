// Fault injection and latency for the simulated kernel: "this path fails with EIO twice", "reads of this attribute
// take 50 ms". Generic (any op name), so the vfs, the qeth model and a later PCI model share one store.

/** An errno a matching operation fails with, instead of doing its work. */
export interface Fault {
  /** A path as the caller names it, its physical path, or for model ops the device (bus id, interface name). */
  path: string;
  /** vfs ops: 'read' | 'write' | 'readlink' | 'list'; model ops: 'online' (hardsetup), 'set-mac' (netlink). */
  op: string;
  /** errno name: EIO, ENODEV, EADDRINUSE, … */
  errno: string;
  /** How often it fires; default every time. */
  times?: number;
}

/** Extra time a matching operation takes before it runs (on the kernel's clock). */
export interface Latency {
  path: string;
  op: string;
  ms: number;
}

/** Strips trailing slashes and empty components so `/sys//x/` and `/sys/x` name the same thing. */
export function normalizePath(path: string): string {
  if (!path.startsWith('/')) return path;
  return `/${path.split('/').filter(Boolean).join('/')}`;
}

export class Faults {
  private readonly faults: Fault[] = [];
  private readonly latencies: Latency[] = [];

  inject(fault: Fault): void {
    this.faults.push({ ...fault, path: normalizePath(fault.path) });
  }

  addLatency(latency: Latency): void {
    this.latencies.push({ ...latency, path: normalizePath(latency.path) });
  }

  /** The errno of the first live fault for `op` on any of `paths`, consuming one of its `times`. */
  take(op: string, paths: readonly (string | undefined)[]): string | undefined {
    const names = new Set(paths.filter((p): p is string => p !== undefined).map(normalizePath));
    const fault = this.faults.find((f) => f.op === op && names.has(f.path) && (f.times ?? 1) > 0);
    if (!fault) return undefined;
    if (fault.times !== undefined) fault.times--;
    return fault.errno;
  }

  /** Total configured latency for `op` on any of `paths`. */
  delay(op: string, paths: readonly (string | undefined)[]): number {
    const names = new Set(paths.filter((p): p is string => p !== undefined).map(normalizePath));
    return this.latencies.filter((l) => l.op === op && names.has(l.path)).reduce((sum, l) => sum + l.ms, 0);
  }
}
