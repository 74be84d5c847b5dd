// sriov with vendor-data documents that must not lead to any change: malformed ones (exit 3, the JSON path named,
// not one sysfs write or program run) and the three ways of saying "nothing to do" (exit 0). The machine has one PF
// with each GUID back-end, so neither the OFED files nor `ip` may be touched.
import { describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/run-agent.js';
import { VENDOR_DATA_FILE, mlx5Pf, simSriov } from '../sim/sriov-scenario.js';

const PORT_A = '04bd700300374486';
const PORT_B = '04bd700300374487';
const VF_A = 'fefeab03004f86b9';
const VF_B = 'fefe2b03002a5777';

function machine(vendorData: unknown) {
  const pfs = [mlx5Pf('0000:01:00.0', { portGuid: PORT_A, totalVfs: 8, mode: 'ofed' }), mlx5Pf('0000:02:00.0', { portGuid: PORT_B, totalVfs: 8, mode: 'inbox' })];
  return simSriov({ pfs, vendorData });
}

/** A valid request for both PFs, with `change` applied to its mlnx_sriov object. */
function document(change: (mlnx: Record<string, unknown>) => void): Record<string, unknown> {
  const mlnx: Record<string, unknown> = { enable_sriov: true, physical_guids: [PORT_A, PORT_B], virtual_guids: [[VF_A], [VF_B]] };
  change(mlnx);
  return { mlnx_sriov: mlnx };
}

describe('sriov refuses a malformed document: exit 3, the JSON path named, nothing written or run', () => {
  it.each([
    ['not JSON', '{"mlnx_sriov": {"enable_sriov": tru', 'vendor_data2.json: not JSON'],
    ['an array at the top', '[{"mlnx_sriov": {}}]', 'vendor_data2.json: expected a JSON object at the top level'],
    ['physical_guids not an array', document((m) => (m.physical_guids = PORT_A)), 'mlnx_sriov.physical_guids: expected an array of GUID strings'],
    ['lists of different lengths', document((m) => (m.virtual_guids = [[VF_A]])), 'mlnx_sriov.virtual_guids: 1 VF lists for 2 physical_guids'],
    ['a 15-hex-digit GUID', document((m) => (m.virtual_guids = [[VF_A.slice(1)], [VF_B]])), 'mlnx_sriov.virtual_guids[0][0]: not a 16-hex-digit GUID'],
    ['a 17-hex-digit GUID', document((m) => (m.physical_guids = [PORT_A, `${PORT_B}0`])), 'mlnx_sriov.physical_guids[1]: not a 16-hex-digit GUID'],
    ['a non-hex GUID', document((m) => (m.virtual_guids = [[VF_A], ['fefe2b03002a577g']])), 'mlnx_sriov.virtual_guids[1][0]: not a 16-hex-digit GUID'],
    ['a duplicate virtual GUID', document((m) => (m.virtual_guids = [[VF_A], [VF_A.toUpperCase()]])), 'mlnx_sriov.virtual_guids[1][0]: duplicate GUID'],
    ['the all-zero GUID', document((m) => (m.virtual_guids = [[VF_A], ['00:00:00:00:00:00:00:00']])), 'mlnx_sriov.virtual_guids[1][0]: the all-zero GUID'],
    ['enable_sriov "yes"', document((m) => (m.enable_sriov = 'yes')), 'mlnx_sriov.enable_sriov: expected true or false'],
    ['a shell command as a GUID', document((m) => (m.virtual_guids = [[VF_A], ['00; rm -rf /']])), 'mlnx_sriov.virtual_guids[1][0]: not a 16-hex-digit GUID (got "00; rm -rf /")'],
  ])('%s', async (_case, vendorData, message) => {
    const { kernel, host } = machine(vendorData);
    const run = await runAgent(host, ['sriov', '--vendor-data', VENDOR_DATA_FILE]);
    expect(run.code).toBe(3);
    expect(run.lines.filter((line) => line.startsWith('<3>vendor-data: ')).join('\n')).toContain(message);
    expect(host.writes).toEqual([]);
    expect(host.execs).toEqual([]);
    expect([kernel.pf('0000:01:00.0')?.numVfs, kernel.pf('0000:02:00.0')?.numVfs]).toEqual([0, 0]);
  });
});

describe('sriov has nothing to do (exit 0, nothing written or run)', () => {
  it.each([
    ['no mlnx_sriov key', { other_service: { x: 1 } }, /^<6>vendor-data: the vendor data has no mlnx_sriov key/],
    ["mlnx_sriov {} (Nova's sign that the vendor-data service failed): a warning", { mlnx_sriov: {} }, /^<4>vendor-data: mlnx_sriov is \{\}.*vendor-data service failed/],
    ['enable_sriov false, whatever else is there', { mlnx_sriov: { enable_sriov: false, physical_guids: 'stale' } }, /^<6>vendor-data: mlnx_sriov.enable_sriov is false/],
  ])('%s', async (_case, vendorData, line) => {
    const { host } = machine(vendorData);
    const run = await runAgent(host, ['sriov', '--vendor-data', VENDOR_DATA_FILE]);
    expect(run.code).toBe(0);
    expect(run.lines.some((l) => line.test(l))).toBe(true);
    expect(host.writes).toEqual([]);
    expect(host.execs).toEqual([]);
  });
});
