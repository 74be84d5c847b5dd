// The planned steps that set an interface's MAC (DESIGN §4 step 6, §5): wait for the name, set, verify.
import { IP_TIMEOUT_MS } from '../lib/ip-command.js';
import type { Action } from '../plan/action.js';
import { bindingRef } from '../plan/action.js';
import type { Mac } from '../values/mac.js';
import { netClass } from './paths.js';

/** A name that has not changed for this long is taken as final (e.g. net.ifnames=0 keeps eth<N>). */
export const NAME_SETTLE_MS = 1000;
const NETDEV = 'netdev';

/** Which interface: a known name (setmac: udev told us), or the one under a group's net/ once udev renamed it. */
export type MacInterface = { name: string } | { under: string; expectedName: string; timeoutMs: number };

/**
 * `ip link set dev <if> address <mac>` (an argument array), skipped when the address already reads `mac`, then the
 * read-back. For an interface still being named: resolve it first, and retry once under its new name when udev
 * renamed it between the resolve and `ip` (the old name is gone; ip says "Cannot find device").
 */
export function macSteps(target: string, mac: Mac, netdev: MacInterface, why: string): Action[] {
  const ifname = 'name' in netdev ? netdev.name : bindingRef(NETDEV);
  const address = `${netClass(ifname)}/address`;
  const resolve: Action[] =
    'name' in netdev
      ? []
      : [{ op: 'resolve', target, path: netdev.under, bind: NETDEV, from: { kind: 'single-entry', expected: netdev.expectedName, settleMs: NAME_SETTLE_MS }, valid: 'ifname', timeoutMs: netdev.timeoutMs, why: 'the interface registers as eth<N>/hsi<N> and udev renames it; act on the final name' }];
  return [
    ...resolve,
    {
      op: 'exec',
      target,
      path: 'ip',
      args: ['link', 'set', 'dev', ifname, 'address', mac],
      timeoutMs: IP_TIMEOUT_MS,
      unless: { path: address, expect: { kind: 'equals', value: mac } },
      ...('name' in netdev ? {} : { retry: { rebind: NETDEV, ifGone: netClass(ifname) } }),
      why,
    },
    { op: 'verify', target, path: address, expect: { kind: 'equals', value: mac }, why: 'the adapter may refuse or alter the address; the kernel read-back is the truth' },
  ];
}
