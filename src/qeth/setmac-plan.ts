// Pure planning for setmac: one interface, its cmdline MAC and its current address.
import type { Action } from '../plan/action.js';
import type { BusId } from '../values/bus-id.js';
import type { Mac } from '../values/mac.js';
import { macSteps } from './mac-steps.js';

/** No action when the interface already has the MAC; otherwise set it with `ip` and verify the read-back. */
export function planSetmac(busId: BusId, ifname: string, mac: Mac, currentAddress: string | undefined): Action[] {
  if (currentAddress === mac) return [];
  return macSteps(busId, mac, { name: ifname }, `MAC for ${busId} from the kernel command line`);
}
