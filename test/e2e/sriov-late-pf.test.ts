// A named PF that is not there when the sim bundle (dist-bench/agent-on-sim.js) starts, as a real process: one that
// appears late (mlx5 probe, zPCI hotplug) is configured; one that never appears fails the run (exit 1) with one line
// naming the GUID asked for and the PFs present, after the --pf-wait bound.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBundle } from '../helpers/run-bundle.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';
import type { ScenarioFile } from '../sim/scenario-file.js';

const SIM_BUNDLE = join(__dirname, '../../dist-bench/agent-on-sim.js');
const PF_A = '0000:01:00.0';
const PF_B = '0000:02:00.0';
const DOCUMENT = {
  mlnx_sriov: { enable_sriov: true, physical_guids: ['04bd700300374486', '04bd700300374487'], virtual_guids: [['fefeab03004f86b9'], ['fefe1103000000b1']] },
};

async function run(scenario: ScenarioFile, extra: string[] = []) {
  const root = makeTmpRoot();
  const dir = mkdtempSync(join(root, 'scenario-'));
  writeFileSync(join(dir, 'machine.json'), JSON.stringify(scenario));
  writeFileSync(join(dir, 'vendor_data2.json'), JSON.stringify(DOCUMENT));
  const stateOut = join(dir, 'state.json');
  const result = await runBundle(['sriov', '--root', root, '--vendor-data', join(dir, 'vendor_data2.json'), ...extra], {
    bundle: SIM_BUNDLE,
    env: { GBA_SIM_SCENARIO: join(dir, 'machine.json'), GBA_SIM_STATE_OUT: stateOut, JOURNAL_STREAM: '8:1' },
  });
  const state = JSON.parse(readFileSync(stateOut, 'utf8')) as { pfs: ({ address: string; vfs: { driver: string | null; seenNode: string | null }[] } | null)[] };
  return { ...result, state };
}

describe('a named PF that is not there at start', () => {
  it('appears after 0.5 s and is configured: exit 0', async () => {
    const result = await run({
      sriov: { pfs: [{ address: PF_A, portGuid: '04bd700300374486', totalVfs: 4 }, { address: PF_B, portGuid: '04bd700300374487', totalVfs: 4, mode: 'inbox', appearMs: 500 }] },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('<6>04bd700300374487: no PF with this port GUID yet; waiting up to 30 s');
    expect(result.state.pfs.map((pf) => pf?.vfs.map((vf) => [vf.driver, vf.seenNode]))).toEqual([[['mlx5_core', 'fefeab03004f86b9']], [['mlx5_core', 'fefe1103000000b1']]]);
  });

  it('never appears: exit 1 after --pf-wait, one line naming the GUID and the PFs present; the other PF is configured', async () => {
    const result = await run({ sriov: { pfs: [{ address: PF_A, portGuid: '04bd700300374486', totalVfs: 4 }] } }, ['--pf-wait', '1']);
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('<3>'));
    expect(lines).toEqual([
      `<3>04bd700300374487: cannot be configured: no Mellanox InfiniBand PF with port GUID 04bd700300374487 appeared within 1 s; PFs present: ${PF_A} (port GUID 04bd700300374486)`,
    ]);
    expect(result.state.pfs[0]!.vfs.map((vf) => vf.driver)).toEqual(['mlx5_core']);
  });
});
