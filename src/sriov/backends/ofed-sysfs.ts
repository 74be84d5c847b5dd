// MLNX_OFED back-end: a VF's policy and GUIDs through the PF's sriov/<k>/{policy,node,port} files.
import type { Action } from '../../plan/action.js';
import type { Guid } from '../../values/guid.js';
import { guidToColon } from '../../values/guid.js';
import { ofedVfAttr } from '../paths.js';

/** Policy Follow, then node and port GUID in colon form (the files' sscanf rejects the bare form). */
export function ofedGuidActions(target: string, pf: string, k: number, guid: Guid): Action[] {
  const colon = guidToColon(guid);
  return [
    { op: 'write', target, path: ofedVfAttr(pf, k, 'policy'), value: 'Follow', why: `VF ${k}: its port follows the physical port's state` },
    { op: 'write', target, path: ofedVfAttr(pf, k, 'node'), value: colon, why: `VF ${k}: node GUID from the vendor data` },
    { op: 'write', target, path: ofedVfAttr(pf, k, 'port'), value: colon, why: `VF ${k}: port GUID from the vendor data` },
  ];
}
