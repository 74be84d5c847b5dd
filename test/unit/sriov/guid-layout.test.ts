// The [pf][vf] vs [pkey][pf] layouts of virtual_guids: transposition, and refusing to guess.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Guid } from '../../../src/values/guid.js';
import { arrangeGuids, transpose } from '../../../src/sriov/guid-layout.js';
import { parseVendorData } from '../../../src/sriov/schema.js';

const g = (n: number) => `fefe00030000${n.toString(16).padStart(4, '0')}` as Guid;
const PF = ['04bd700300374486', '04bd700300374487'] as Guid[];

/** What the transposing producer stores for 3 limited P_Keys and 2 PFs: virtual_guids[k][i] = PF i's GUID for P_Key k. */
const PKEY_MAJOR_DOC = JSON.stringify({
  mlnx_sriov: {
    enable_sriov: true,
    physical_guids: PF,
    virtual_guids: [
      [g(0x10), g(0x20)],
      [g(0x11), g(0x21)],
      [g(0x12), g(0x22)],
    ],
    dynamic_pkey: '0x3e7e',
    default_limited_pkeys: ['0x0a01', '0x0a02', '0x0a03'],
  },
});

describe('guid layout through parseVendorData', () => {
  it('refuses a [pkey][pf] document (3 P_Keys × 2 PFs) under the default layout, naming --guid-layout pkey-major', () => {
    const result = parseVendorData(PKEY_MAJOR_DOC, 'pf-major');
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^mlnx_sriov\.virtual_guids: 3 VF lists for 2 physical_guids/);
    expect(errors[0]).toContain('--guid-layout pkey-major');
  });

  it('transposes it under --guid-layout pkey-major: PF i gets the i-th GUID of every P_Key row', () => {
    const result = parseVendorData(PKEY_MAJOR_DOC, 'pkey-major');
    expect(result.ok && result.verdict.kind === 'configure' && result.verdict.intent.pfs).toEqual([
      { physicalGuid: PF[0], vfGuids: [g(0x10), g(0x11), g(0x12)] },
      { physicalGuid: PF[1], vfGuids: [g(0x20), g(0x21), g(0x22)] },
    ]);
  });
});

describe('arrangeGuids', () => {
  const pfMajor = { physicalGuids: PF, virtualGuids: [[g(1), g(2), g(3)], [g(4)]], defaultLimitedPkeys: undefined };

  it('keeps pf-major rows as they are, with unequal VF counts allowed', () => {
    expect(arrangeGuids(pfMajor, 'pf-major')).toEqual({
      ok: true,
      pfs: [
        { physicalGuid: PF[0], vfGuids: [g(1), g(2), g(3)] },
        { physicalGuid: PF[1], vfGuids: [g(4)] },
      ],
    });
  });

  it('refuses a pf-major document under pkey-major, naming --guid-layout pf-major', () => {
    const result = arrangeGuids(pfMajor, 'pkey-major');
    expect(result.ok ? [] : result.errors).toEqual([
      'mlnx_sriov.virtual_guids[0]: 3 GUIDs, expected one per physical GUID (2) in the pkey-major layout',
      'mlnx_sriov.virtual_guids[1]: 1 GUIDs, expected one per physical GUID (2) in the pkey-major layout',
      expect.stringContaining('--guid-layout pf-major'),
    ]);
  });

  it('gives no layout hint when neither layout fits', () => {
    const table = { physicalGuids: PF, virtualGuids: [[g(1)], [g(2)], [g(3), g(4), g(5)]], defaultLimitedPkeys: ['a', 'b', 'c'] };
    const result = arrangeGuids(table, 'pf-major');
    expect(result.ok ? [] : result.errors).toEqual(['mlnx_sriov.virtual_guids: 3 VF lists for 2 physical_guids (pf-major layout: virtual_guids[i] are the VFs of physical_guids[i])']);
  });

  it('needs the P_Key list for the hint: without default_limited_pkeys a 3×2 table is only "lengths differ"', () => {
    const table = { physicalGuids: PF, virtualGuids: [[g(1), g(2)], [g(3), g(4)], [g(5), g(6)]], defaultLimitedPkeys: undefined };
    const result = arrangeGuids(table, 'pf-major');
    expect(result.ok ? [] : result.errors).toEqual([expect.not.stringContaining('--guid-layout')]);
  });

  it('under pkey-major, requires one row per listed limited P_Key', () => {
    const table = { physicalGuids: PF, virtualGuids: [[g(1), g(2)]], defaultLimitedPkeys: ['a', 'b'] };
    const result = arrangeGuids(table, 'pkey-major');
    expect(result.ok ? [] : result.errors).toEqual([expect.stringMatching(/^mlnx_sriov\.virtual_guids: 1 rows for 2 default_limited_pkeys/)]);
  });

  it('transposing twice gives the table back (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 }), (rows, width) => {
        const table = Array.from({ length: rows }, (_, r) => Array.from({ length: width }, (_, c) => `${r}:${c}`));
        const once = transpose(table, width);
        expect(once).toHaveLength(width);
        if (rows > 0) expect(transpose(once, rows)).toEqual(table);
      }),
    );
  });
});
