// What the vendor data asks for, after validation: the contract between the schema and the planner.
import type { Guid } from '../values/guid.js';

/** The VFs one physical port must have: VF k gets node GUID = port GUID = `vfGuids[k]`. */
export interface PfIntent {
  /** The port GUID of the PF (last 8 bytes of its IPoIB hardware address). */
  physicalGuid: Guid;
  vfGuids: Guid[];
}

export interface SriovIntent {
  pfs: PfIntent[];
  /** Recorded only: the fabric puts these P_Keys at index 0, so the guest has nothing to do (reference sriov §6). */
  dynamicPkey: string | null;
  defaultLimitedPkeys: string[];
}

/** The outcome of reading a vendor-data document. */
export type VendorDataVerdict =
  | { kind: 'configure'; intent: SriovIntent }
  /** absent: no `mlnx_sriov` key; empty: `{}` (also what Nova serves when the vendor service failed); disabled: enable_sriov false. */
  | { kind: 'nothing'; reason: 'absent' | 'empty' | 'disabled' };
