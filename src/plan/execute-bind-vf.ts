// The bind-vf action: resolve virtfn<k> → VF, check it belongs to the PF, (re)bind it, verify the driver link.
import { basename, dirname } from 'node:path/posix';
import type { Host } from '../host/host.js';
import { HostError, hasCode } from '../host/host.js';
import type { Action } from './action.js';
import { pollUntil } from './wait.js';

type BindVf = Extract<Action, { op: 'bind-vf' }>;

const PCI_DEVICES = '/sys/bus/pci/devices';
const PCI_ADDRESS = /^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** Runs one bind-vf action; resolves true when it bound or rebound the VF, false when it was already bound. */
export async function executeBindVf(host: Host, action: BindVf): Promise<boolean> {
  const pf = basename(dirname(action.path));
  const vf = basename(await host.sysfs.readlink(action.path));
  if (!PCI_ADDRESS.test(vf)) throw new HostError('resolve', action.path, 'EINVAL', `not a PCI address: ${JSON.stringify(vf)}`);
  // Never touch a function that is not this PF's VF (sriov-network-operator once unbound the PF itself).
  const parent = basename(await host.sysfs.readlink(`${PCI_DEVICES}/${vf}/physfn`));
  if (parent !== pf) throw new HostError('verify', `${PCI_DEVICES}/${vf}/physfn`, 'EINVAL', `${vf} belongs to ${parent}, not ${pf}`);
  const bound = await driverOf(host, vf);
  if (bound !== null && !action.rebind) return false;
  if (bound !== null) await host.sysfs.write(`${PCI_DEVICES}/${vf}/driver/unbind`, vf);
  if (action.override) await host.sysfs.write(`${PCI_DEVICES}/${vf}/driver_override`, action.value);
  try {
    await host.sysfs.write(`/sys/bus/pci/drivers/${action.value}/bind`, vf).catch((error: unknown) => {
      // EBUSY: something (udev, autoprobe) bound it in between; the check below decides.
      if (!hasCode(error, 'EBUSY')) throw error;
    });
  } finally {
    if (action.override) await host.sysfs.write(`${PCI_DEVICES}/${vf}/driver_override`, '\n');
  }
  // A bind write can report success without a probe (old kernels, drivers_probe): trust only the link.
  await pollUntil(host.clock, `${PCI_DEVICES}/${vf}/driver`, action.timeoutMs, async () =>
    (await driverOf(host, vf)) === action.value || undefined,
  ).catch((error: unknown) => {
    throw new HostError('verify', `${PCI_DEVICES}/${vf}/driver`, 'ENODEV', `${vf} is not bound to ${action.value} after the bind`, { cause: error });
  });
  return true;
}

async function driverOf(host: Host, vf: string): Promise<string | null> {
  return host.sysfs.readlink(`${PCI_DEVICES}/${vf}/driver`).then(basename, () => null);
}
