// vendor_data2.json → verdict: the issue's document, every malformed case with its JSON-path message, and the
// three "nothing to do" shapes.
import { describe, expect, it } from 'vitest';
import { formatJsonPath, parseVendorData } from '../../../src/sriov/schema.js';

const ISSUE_DOC = {
  mlnx_sriov: {
    enable_sriov: true,
    physical_guids: ['04bd700300374486', '04bd700300374487'],
    virtual_guids: [
      ['fefeab03004f86b9', 'fefe2b03002a5777'],
      ['fefe6a03009db202', 'fefe7d030069c502'],
    ],
    dynamic_pkey: '0x3e7e',
    default_limited_pkeys: ['0xBAD0', '0xF00D'],
  },
};

/** The issue's document with `mlnx_sriov` fields replaced. */
const withSriov = (patch: Record<string, unknown>) => JSON.stringify({ ...ISSUE_DOC, mlnx_sriov: { ...ISSUE_DOC.mlnx_sriov, ...patch } });

describe('parseVendorData: valid documents', () => {
  it('turns the issue document into one intent per PF, pf-major, with the P_Keys recorded', () => {
    expect(parseVendorData(JSON.stringify({ static: {}, ...ISSUE_DOC }), 'pf-major')).toEqual({
      ok: true,
      verdict: {
        kind: 'configure',
        intent: {
          pfs: [
            { physicalGuid: '04bd700300374486', vfGuids: ['fefeab03004f86b9', 'fefe2b03002a5777'] },
            { physicalGuid: '04bd700300374487', vfGuids: ['fefe6a03009db202', 'fefe7d030069c502'] },
          ],
          dynamicPkey: '0x3e7e',
          defaultLimitedPkeys: ['0xBAD0', '0xF00D'],
        },
      },
    });
  });

  it.each([
    ['colon-separated, upper case', '04:BD:70:03:00:37:44:86', '04bd700300374486'],
    ['0x-prefixed', '0x04BD700300374486', '04bd700300374486'],
    ['dash-separated', '04-bd-70-03-00-37-44-86', '04bd700300374486'],
  ])('normalises a %s GUID', (_name, spelled, canonical) => {
    const result = parseVendorData(withSriov({ physical_guids: [spelled, '04bd700300374487'] }), 'pf-major');
    expect(result.ok && result.verdict.kind === 'configure' && result.verdict.intent.pfs[0]?.physicalGuid).toBe(canonical);
  });

  it.each([
    ['an integer dynamic_pkey (older producer) as 0x-hex', { dynamic_pkey: 15998 }, '0x3e7e', ['0xBAD0', '0xF00D']],
    ['absent P_Keys as null / []', { dynamic_pkey: undefined, default_limited_pkeys: undefined }, null, []],
    ['null P_Keys as absent', { dynamic_pkey: null, default_limited_pkeys: null }, null, []],
  ])('records %s', (_name, patch, dynamicPkey, defaultLimitedPkeys) => {
    const result = parseVendorData(withSriov(patch), 'pf-major');
    expect(result).toMatchObject({ ok: true, verdict: { kind: 'configure', intent: { dynamicPkey, defaultLimitedPkeys } } });
  });

  it.each([
    ['mlnx_sriov absent', { static: {} }, 'absent'],
    ['mlnx_sriov {} (also what Nova serves when the vendor service failed)', { mlnx_sriov: {} }, 'empty'],
    ['enable_sriov false', { mlnx_sriov: { enable_sriov: false } }, 'disabled'],
    ['enable_sriov false with leftover garbage', { mlnx_sriov: { enable_sriov: false, physical_guids: 'junk' } }, 'disabled'],
  ])('%s → nothing to do', (_name, document, reason) => {
    expect(parseVendorData(JSON.stringify(document), 'pf-major')).toEqual({ ok: true, verdict: { kind: 'nothing', reason } });
  });

  it('accepts a leading byte-order mark', () => {
    expect(parseVendorData(`\uFEFF${JSON.stringify(ISSUE_DOC)}`, 'pf-major').ok).toBe(true);
  });
});

describe('parseVendorData: malformed documents name the JSON path', () => {
  it.each([
    ['not JSON', '{"mlnx_sriov": ', /^vendor_data2\.json: not JSON \(/],
    ['empty text', '', /^vendor_data2\.json: not JSON/],
    ['an array at the top level', '[{"mlnx_sriov": {}}]', /^vendor_data2\.json: expected a JSON object at the top level, got an array$/],
    ['a string at the top level', '"mlnx_sriov"', /^vendor_data2\.json: expected a JSON object at the top level, got "mlnx_sriov"$/],
    ['mlnx_sriov null', '{"mlnx_sriov": null}', /^mlnx_sriov: expected an object, got null$/],
    ['mlnx_sriov an array', '{"mlnx_sriov": []}', /^mlnx_sriov: expected an object, got an array$/],
    ['physical_guids not an array', withSriov({ physical_guids: '04bd700300374486' }), /^mlnx_sriov\.physical_guids: expected an array of GUID strings, got "04bd700300374486"$/],
    ['physical_guids missing', withSriov({ physical_guids: undefined }), /^mlnx_sriov\.physical_guids: missing \(expected an array of GUID strings\)$/],
    ['a virtual_guids row not an array', withSriov({ virtual_guids: [['fefeab03004f86b9'], 'fefe6a03009db202'] }), /^mlnx_sriov\.virtual_guids\[1\]: expected an array of GUID strings, got "fefe6a03009db202"$/],
    ['a GUID of 15 hex digits', withSriov({ virtual_guids: [['fefeab03004f86b9'], ['fefe6a03009db20']] }), /^mlnx_sriov\.virtual_guids\[1\]\[0\]: not a 16-hex-digit GUID \(got "fefe6a03009db20"\)$/],
    ['a GUID of 17 hex digits', withSriov({ physical_guids: ['04bd700300374486', '04bd7003003744870'] }), /^mlnx_sriov\.physical_guids\[1\]: not a 16-hex-digit GUID \(got "04bd7003003744870"\)$/],
    ['a non-hex GUID', withSriov({ virtual_guids: [['fefeab03004f86bg', 'fefe2b03002a5777'], []] }), /^mlnx_sriov\.virtual_guids\[0\]\[0\]: not a 16-hex-digit GUID \(got "fefeab03004f86bg"\)$/],
    ['a number as a GUID', withSriov({ physical_guids: [4, '04bd700300374487'] }), /^mlnx_sriov\.physical_guids\[0\]: not a 16-hex-digit GUID \(got 4\)$/],
    ['a shell-injection string as a GUID', withSriov({ virtual_guids: [['00; rm -rf /'], []] }), /^mlnx_sriov\.virtual_guids\[0\]\[0\]: not a 16-hex-digit GUID \(got "00; rm -rf \/"\)$/],
    ['the all-zero GUID', withSriov({ virtual_guids: [['0000000000000000'], []] }), /^mlnx_sriov\.virtual_guids\[0\]\[0\]: the all-zero GUID is not a valid assignment$/],
    ['duplicate virtual GUIDs', withSriov({ virtual_guids: [['fefeab03004f86b9'], ['FE:FE:AB:03:00:4F:86:B9']] }), /^mlnx_sriov\.virtual_guids\[1\]\[0\]: duplicate GUID fefeab03004f86b9 \(also at mlnx_sriov\.virtual_guids\[0\]\[0\]\)$/],
    ['a virtual GUID equal to a physical one', withSriov({ virtual_guids: [['04bd700300374487'], []] }), /^mlnx_sriov\.virtual_guids\[0\]\[0\]: duplicate GUID 04bd700300374487 \(also at mlnx_sriov\.physical_guids\[1\]\)$/],
    ['enable_sriov "yes"', withSriov({ enable_sriov: 'yes' }), /^mlnx_sriov\.enable_sriov: expected true or false, got "yes"$/],
    ['enable_sriov missing', withSriov({ enable_sriov: undefined }), /^mlnx_sriov\.enable_sriov: missing \(expected true or false\)$/],
    ['lengths differ', withSriov({ virtual_guids: [['fefeab03004f86b9']] }), /^mlnx_sriov\.virtual_guids: 1 VF lists for 2 physical_guids \(pf-major layout/],
    ['dynamic_pkey an object', withSriov({ dynamic_pkey: { v: 1 } }), /^mlnx_sriov\.dynamic_pkey: expected a P_Key string or integer, got an object$/],
    ['default_limited_pkeys a string', withSriov({ default_limited_pkeys: '0xBAD0' }), /^mlnx_sriov\.default_limited_pkeys: expected an array of P_Keys, got "0xBAD0"$/],
  ])('%s', (_name, text, message) => {
    const result = parseVendorData(text, 'pf-major');
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([expect.stringMatching(message)]);
  });

  it('lists every problem, one per line, in document order', () => {
    const text = withSriov({ enable_sriov: 1, physical_guids: ['xyz', '04bd700300374487'], virtual_guids: [['04bd700300374487'], [null]] });
    const result = parseVendorData(text, 'pf-major');
    expect(result.ok ? [] : result.errors).toEqual([
      'mlnx_sriov.enable_sriov: expected true or false, got 1',
      'mlnx_sriov.physical_guids[0]: not a 16-hex-digit GUID (got "xyz")',
      'mlnx_sriov.virtual_guids[1][0]: not a 16-hex-digit GUID (got null)',
      'mlnx_sriov.virtual_guids[0][0]: duplicate GUID 04bd700300374487 (also at mlnx_sriov.physical_guids[1])',
    ]);
  });

  it('cuts long hostile strings short in messages', () => {
    const result = parseVendorData(withSriov({ physical_guids: ['$(curl evil)'.repeat(20), '04bd700300374487'] }), 'pf-major');
    expect(result.ok ? '' : (result.errors[0] ?? '')).toMatch(/got "\$\(curl evil\)\$\(curl evil\)\$\(curl evil\)\$\(cu…"\)$/);
  });
});

describe('formatJsonPath', () => {
  it.each([
    [['mlnx_sriov', 'virtual_guids', 1, 0], 'mlnx_sriov.virtual_guids[1][0]'],
    [['mlnx_sriov'], 'mlnx_sriov'],
    [['a b', 'c'], '["a b"].c'],
    [[], ''],
  ])('%j → %s', (path, text) => {
    expect(formatJsonPath(path)).toBe(text);
  });
});
