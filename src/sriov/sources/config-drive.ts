// The config drive as a vendor-data source (reference metadata §1.7): find the `config-2` filesystem, reuse its
// mount or mount it read-only in a private temp dir, read openstack/latest/vendor_data2.json, unmount — always.
import { InputUnavailableError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import type { Logger } from '../../log.js';
import { STATE_DIR } from '../../state.js';
import { MAX_VENDOR_DATA_BYTES } from './http.js';

/** Nova's label; vfat drives may show it upper-case (cloud-init accepts both). */
export const CONFIG_DRIVE_LABELS = ['config-2', 'CONFIG-2'] as const;
export const CONFIG_DRIVE_VENDOR_DATA = 'openstack/latest/vendor_data2.json';
const EXEC_TIMEOUT_MS = 30_000;

/** What was read; `fstype` from the mount table when it lists the mount (for the log line). */
export type ConfigDriveResult = { kind: 'document'; text: string; device: string; fstype?: string } | { kind: 'not-served'; device: string };

/** A config drive found: its device (a kernel path) and the label it was found by. */
export interface ConfigDrive {
  device: string;
  label: (typeof CONFIG_DRIVE_LABELS)[number];
}

/** The config drive, from udev's by-label links, else blkid; undefined when none. */
export async function findConfigDrive(host: Pick<Host, 'sysfs' | 'exec'>, log: Logger): Promise<ConfigDrive | undefined> {
  for (const label of CONFIG_DRIVE_LABELS) {
    const link = `/dev/disk/by-label/${label}`;
    if (!(await host.sysfs.exists(link))) continue;
    // mount canonicalises the source and /proc/self/mounts lists the canonical name: resolve the link likewise.
    const target = await host.sysfs.readlink(link).catch(() => undefined);
    if (target === undefined) return { device: link, label };
    return { device: target.startsWith('/') ? target : normalise(`/dev/disk/by-label/${target}`), label };
  }
  // No udev links (early boot, minimal images): ask blkid, probing devices rather than a cache from the image build.
  for (const label of CONFIG_DRIVE_LABELS) {
    const result = await host.exec('blkid', ['-c', '/dev/null', '-t', `LABEL=${label}`, '-o', 'device'], { timeoutMs: EXEC_TIMEOUT_MS }).catch((error: unknown) => {
      log.debug('config-drive', `blkid unavailable: ${(error as Error).message}`);
      return undefined;
    });
    if (result === undefined) return undefined;
    // blkid exits 2 when nothing matches.
    if (result.exitCode !== 0) continue;
    // cloud-init's order: reverse-sorted, "prefer vdb over vda".
    const devices = result.stdout.split('\n').map((line) => line.trim()).filter(Boolean).sort().reverse();
    if (devices[0] !== undefined) return { device: devices[0], label };
  }
  return undefined;
}

/** Reads vendor_data2.json from `device`. Throws InputUnavailableError when the drive cannot be mounted or read. */
/** `mountParent`: where the private mount point is made (STATE_DIR; a dry run's is elsewhere, see choose.ts). */
export async function readConfigDrive(host: Host, log: Logger, device: string, mountParent: string = STATE_DIR): Promise<ConfigDriveResult> {
  const existing = await findMount(host, (entry) => entry.source === device);
  if (existing !== undefined) {
    log.debug('config-drive', `${device} is already mounted on ${existing.target}: reading it there`);
    return withFstype(await readDocument(host, log, device, existing.target), existing.fstype);
  }
  const prefix = mountParent === STATE_DIR ? 'config-drive-' : 'guest-boot-agent-config-drive-';
  const dir = await host.files.makeTempDir(mountParent, prefix).catch((error: unknown) => {
    throw new InputUnavailableError(`config drive ${device}: cannot create a mount point in ${mountParent}: ${(error as Error).message}`, { cause: error });
  });
  let mounted = false;
  try {
    const args = ['-o', 'ro,nosuid,nodev,noexec', host.files.hostPath(device), host.files.hostPath(dir)];
    const result = await host.exec('mount', args, { timeoutMs: EXEC_TIMEOUT_MS }).catch((error: unknown) => {
      throw new InputUnavailableError(`config drive ${device}: cannot run mount: ${(error as Error).message}`, { cause: error });
    });
    if (result.exitCode !== 0) {
      throw new InputUnavailableError(`config drive ${device}: mount -o ro failed (exit ${result.exitCode}): ${result.stderr.trim()}`);
    }
    mounted = true;
    // The table lists the mount point as this process sees it (below --root, if any).
    const entry = await findMount(host, (candidate) => candidate.target === host.files.hostPath(dir) || candidate.target === dir);
    return withFstype(await readDocument(host, log, device, dir), entry?.fstype);
  } finally {
    if (mounted) mounted = !(await unmount(host, log, device, dir));
    // Left in place while still mounted: rmdir would fail anyway, and the operator needs the path to clean up.
    if (!mounted) await host.files.removeDir(dir).catch((error: unknown) => log.warn('config-drive', `cannot remove ${dir}: ${(error as Error).message}`));
  }
}

/** `umount dir`; false (and a warning naming the mount point) when it failed. */
async function unmount(host: Host, log: Logger, device: string, dir: string): Promise<boolean> {
  const result = await host.exec('umount', [host.files.hostPath(dir)], { timeoutMs: EXEC_TIMEOUT_MS }).catch((error: unknown) => ({
    exitCode: -1,
    stdout: '',
    stderr: (error as Error).message,
  }));
  if (result.exitCode === 0) return true;
  log.warn('config-drive', `${device}: umount ${dir} failed (exit ${result.exitCode}): ${result.stderr.trim()}; it stays mounted read-only`);
  return false;
}

/** The document under `mountPoint`; missing → not served (a drive built by Nova before Newton). */
async function readDocument(host: Host, log: Logger, device: string, mountPoint: string): Promise<ConfigDriveResult> {
  const path = `${mountPoint.replace(/\/$/, '')}/${CONFIG_DRIVE_VENDOR_DATA}`;
  const text = await host.files.read(path).catch((error: unknown) => {
    throw new InputUnavailableError(`config drive ${device}: cannot read ${CONFIG_DRIVE_VENDOR_DATA}: ${(error as Error).message}`, { cause: error });
  });
  if (text === undefined) {
    log.debug('config-drive', `${device} has no ${CONFIG_DRIVE_VENDOR_DATA}`);
    return { kind: 'not-served', device };
  }
  if (Buffer.byteLength(text) > MAX_VENDOR_DATA_BYTES) {
    throw new InputUnavailableError(`config drive ${device}: ${CONFIG_DRIVE_VENDOR_DATA} is larger than ${MAX_VENDOR_DATA_BYTES} bytes, refused`);
  }
  return { kind: 'document', text, device };
}

interface MountEntry {
  source: string;
  target: string;
  fstype: string;
}

/** The first entry of /proc/self/mounts (octal escapes decoded) that `match` accepts; undefined when none. */
async function findMount(host: Pick<Host, 'files'>, match: (entry: MountEntry) => boolean): Promise<MountEntry | undefined> {
  const table = (await host.files.read('/proc/self/mounts').catch(() => undefined)) ?? '';
  const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  for (const line of table.split('\n')) {
    const [source, target, fstype] = line.split(' ');
    if (source === undefined || target === undefined || fstype === undefined) continue;
    const entry = { source: unescape(source), target: unescape(target), fstype };
    if (match(entry)) return entry;
  }
  return undefined;
}

const withFstype = (result: ConfigDriveResult, fstype: string | undefined): ConfigDriveResult =>
  result.kind === 'document' && fstype !== undefined ? { ...result, fstype } : result;

/** Resolves `.` and `..` in an absolute path (a by-label link is `../../sr0`). */
function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`;
}
