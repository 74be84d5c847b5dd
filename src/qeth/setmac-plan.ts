// Pure planning for setmac: one interface, its cmdline MAC and its current address.
import type { Action } from '../plan/action.js';
import type { BusId } from '../values/bus-id.js';
import type { Mac } from '../values/mac.js';
import { netClass } from './paths.js';

/** No action when the interface already has the MAC; otherwise one set-mac (which verifies the read-back). */
export function planSetmac(busId: BusId, ifname: string, mac: Mac, currentAddress: string | undefined): Action[] {
  if (currentAddress === mac) return [];
  return [
    {
      op: 'set-mac',
      target: busId,
      path: netClass(ifname),
      value: mac,
      netdev: { name: ifname },
      timeoutMs: 10_000,
      why: `MAC for ${busId} from the kernel command line`,
    },
  ];
}
