// The set-mac action: find the settled interface name, set the MAC with `ip`, verify the read-back.
import type { Host } from '../host/host.js';
import { HostError } from '../host/host.js';
import { isValidIfname } from '../values/ifname.js';
import type { Action } from './action.js';
import { pollUntil } from './wait.js';

type SetMac = Extract<Action, { op: 'set-mac' }>;

/** A name that has not changed for this long is taken as final (e.g. net.ifnames=0 keeps eth<N>). */
export const NAME_SETTLE_MS = 1000;
const IP_TIMEOUT_MS = 10_000;

/** Runs one set-mac action; resolves true when the MAC was changed, false when it already matched. */
export async function executeSetMac(host: Host, action: SetMac): Promise<boolean> {
  const first = await resolveName(host, action);
  const changed = await setMacOnce(host, first, action.value).catch(async (error: unknown) => {
    // udev may rename the interface between our read and `ip` (eth0 → enc1): re-read the name, retry once.
    if (!('under' in action.netdev) || !(error instanceof HostError && error.code === 'ENODEV')) throw error;
    const second = await resolveName(host, action);
    if (second === first) throw error;
    return setMacOnce(host, second, action.value);
  });
  return changed;
}

async function setMacOnce(host: Host, ifname: string, mac: string): Promise<boolean> {
  const addressPath = `/sys/class/net/${ifname}/address`;
  const current = await host.sysfs.read(addressPath).catch((error: unknown) => {
    // The name vanished under us (renamed): the same situation as ip's "Cannot find device".
    throw error instanceof HostError && error.code === 'ENOENT'
      ? new HostError('read', addressPath, 'ENODEV', 'interface gone', { cause: error })
      : error;
  });
  if (current === mac) return false;
  const result = await host.exec('ip', ['link', 'set', 'dev', ifname, 'address', mac], { timeoutMs: IP_TIMEOUT_MS });
  if (result.exitCode !== 0) {
    const message = result.stderr.trim() || `exit code ${result.exitCode}`;
    const code = /Cannot find device|No such device/.test(message) ? 'ENODEV' : 'EEXIT';
    throw new HostError('exec', `ip link set dev ${ifname} address ${mac}`, code, message);
  }
  const readBack = await host.sysfs.read(addressPath);
  if (readBack !== mac) {
    throw new HostError('verify', addressPath, 'EIO', `reads ${readBack} after setting ${mac}`);
  }
  return true;
}

/** The interface name to use: given, or the one under the group's net/ once udev has settled it. */
async function resolveName(host: Host, action: SetMac): Promise<string> {
  const ref = action.netdev;
  if ('name' in ref) return ref.name;
  let last: { name: string; since: number } | undefined;
  return pollUntil(host.clock, `an interface under ${ref.under}`, action.timeoutMs, async () => {
    const names = (await host.sysfs.exists(ref.under)) ? await host.sysfs.list(ref.under) : [];
    const name = names.length === 1 ? names[0] : undefined;
    if (name === undefined || !isValidIfname(name)) return undefined;
    if (name === ref.expectedName) return name;
    const now = host.clock.now();
    if (last?.name !== name) last = { name, since: now };
    return now - last.since >= NAME_SETTLE_MS ? name : undefined;
  });
}
