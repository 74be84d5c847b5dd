// DESIGN §6: how `virtual_guids` maps onto physical ports. The element's contract is [pf][vf]; a newer Neutron
// producer stores the transpose [pkey][pf] (reference sriov §6.4). Never guess: a mismatch names the option.
import type { Guid } from '../values/guid.js';
import type { PfIntent } from './intent.js';

/** `pf-major`: virtual_guids[i] are the VFs of physical_guids[i]; `pkey-major`: virtual_guids[k][i] is PF i's VF k. */
export type GuidLayout = 'pf-major' | 'pkey-major';

export const GUID_LAYOUTS: readonly GuidLayout[] = ['pf-major', 'pkey-major'];

/** The validated GUID lists of `mlnx_sriov`, before the layout gives them a meaning. */
export interface GuidTable {
  physicalGuids: Guid[];
  virtualGuids: Guid[][];
  /** Only its length matters here: the producer makes one VF per limited P_Key; undefined when absent. */
  defaultLimitedPkeys: readonly unknown[] | undefined;
}

export type LayoutResult = { ok: true; pfs: PfIntent[] } | { ok: false; errors: string[] };

const AT = 'mlnx_sriov.virtual_guids';

/** Rows become columns; every row must have `width` entries (checked by the caller). */
export function transpose<T>(rows: readonly (readonly T[])[], width: number): T[][] {
  return Array.from({ length: width }, (_, column) => rows.map((row) => row[column] as T));
}

/** The layout rules of pf-major: one VF list per physical GUID, of any length. */
function fitsPfMajor(table: GuidTable): boolean {
  return table.virtualGuids.length === table.physicalGuids.length;
}

/** The pkey-major rules: one row per limited P_Key (when they are listed), each with one GUID per PF. */
function fitsPkeyMajor(table: GuidTable): boolean {
  const pkeys = table.defaultLimitedPkeys;
  if (pkeys !== undefined && pkeys.length !== table.virtualGuids.length) return false;
  return table.virtualGuids.every((row) => row.length === table.physicalGuids.length);
}

/** DESIGN's test for "only fits the transposed producer": L rows of P GUIDs, L = len(default_limited_pkeys) ≠ P. */
function looksPkeyMajor(table: GuidTable): boolean {
  const pkeys = table.defaultLimitedPkeys;
  return pkeys !== undefined && pkeys.length !== table.physicalGuids.length && fitsPkeyMajor(table);
}

/** The per-PF VF lists under `layout`, or errors naming the JSON path (and `--guid-layout` when the other one fits). */
export function arrangeGuids(table: GuidTable, layout: GuidLayout): LayoutResult {
  const pfCount = table.physicalGuids.length;
  const rows = table.virtualGuids.length;
  if (layout === 'pf-major') {
    if (fitsPfMajor(table)) return { ok: true, pfs: pair(table.physicalGuids, table.virtualGuids) };
    const base = `${AT}: ${rows} VF lists for ${pfCount} physical_guids (pf-major layout: virtual_guids[i] are the VFs of physical_guids[i])`;
    if (!looksPkeyMajor(table)) return { ok: false, errors: [base] };
    const hint = `; the document fits the transposed [pkey][pf] layout (${rows} default_limited_pkeys × ${pfCount} PFs): if its producer stores virtual_guids per P_Key, run with --guid-layout pkey-major`;
    return { ok: false, errors: [base + hint] };
  }
  if (fitsPkeyMajor(table)) return { ok: true, pfs: pair(table.physicalGuids, transpose(table.virtualGuids, pfCount)) };
  return { ok: false, errors: pkeyMajorErrors(table) };
}

/** Every reason the table does not fit pkey-major, plus the hint when it fits pf-major instead. */
function pkeyMajorErrors(table: GuidTable): string[] {
  const pfCount = table.physicalGuids.length;
  const pkeys = table.defaultLimitedPkeys;
  const errors: string[] = [];
  if (pkeys !== undefined && pkeys.length !== table.virtualGuids.length) {
    errors.push(`${AT}: ${table.virtualGuids.length} rows for ${pkeys.length} default_limited_pkeys (pkey-major layout: one row per limited P_Key)`);
  }
  table.virtualGuids.forEach((row, index) => {
    if (row.length !== pfCount) {
      errors.push(`${AT}[${index}]: ${row.length} GUIDs, expected one per physical GUID (${pfCount}) in the pkey-major layout`);
    }
  });
  if (fitsPfMajor(table)) {
    errors.push(`${AT}: the document fits the [pf][vf] layout (virtual_guids[i] are the VFs of physical_guids[i]): run with --guid-layout pf-major (the default)`);
  }
  return errors;
}

/** Zips each physical GUID with its VF list. */
function pair(physicalGuids: readonly Guid[], vfLists: readonly Guid[][]): PfIntent[] {
  return physicalGuids.map((physicalGuid, index) => ({ physicalGuid, vfGuids: [...(vfLists[index] ?? [])] }));
}
