// Inbox-kernel back-end: a VF's GUIDs and link state through rtnetlink, via iproute2 on the PF's IPoIB netdev.
import type { Action } from '../../plan/action.js';
import type { Guid } from '../../values/guid.js';
import { IP_TIMEOUT_MS } from '../../lib/ip-command.js';
import { guidToColon } from '../../values/guid.js';

/** One `ip link set dev <pf netdev> vf <k> node_guid … port_guid … state auto` (argument array, no shell). */
export function netlinkGuidActions(target: string, netdev: string, k: number, guid: Guid): Action[] {
  const colon = guidToColon(guid);
  return [
    {
      op: 'exec',
      target,
      path: 'ip',
      args: ['link', 'set', 'dev', netdev, 'vf', String(k), 'node_guid', colon, 'port_guid', colon, 'state', 'auto'],
      timeoutMs: IP_TIMEOUT_MS,
      why: `VF ${k}: node and port GUID from the vendor data, link state following the PF (no MLNX_OFED sysfs files)`,
    },
  ];
}
