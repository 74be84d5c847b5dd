// SIGTERM (systemd's TimeoutStartSec) and SIGINT sent to the sim bundle (dist-bench/agent-on-sim.js) as a real
// process in the middle of VF creation: the VFs arrive slowly (s390x hotplug), autoprobe is held at 0 meanwhile.
// The kernel model lives inside that process, so it writes its final state at exit (GBA_SIM_STATE_OUT).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTmpRoot } from '../helpers/tmp-root.js';
import type { ScenarioFile } from '../sim/scenario-file.js';

const SIM_BUNDLE = join(__dirname, '../../dist-bench/agent-on-sim.js');
const PF_A = '0000:01:00.0';
const PF_B = '0000:02:00.0';
const SCENARIO: ScenarioFile = {
  sriov: {
    pfs: [
      // 4 VFs, one every 3 s: the signal arrives while the agent waits for virtfn0.
      { address: PF_A, portGuid: '04bd700300374486', totalVfs: 8, mode: 'ofed', timing: { vfAppearMs: 3000 } },
      { address: PF_B, portGuid: '04bd700300374487', totalVfs: 8, mode: 'inbox', timing: { vfAppearMs: 3000 } },
    ],
  },
};
const DOCUMENT = {
  mlnx_sriov: {
    enable_sriov: true,
    physical_guids: ['04bd700300374486', '04bd700300374487'],
    virtual_guids: [
      ['fefeab03004f86b9', 'fefe2b03002a5777', 'fefe2b03002a5778', 'fefe2b03002a5779'],
      ['fefe1103000000b1', 'fefe1103000000b2', 'fefe1103000000b3', 'fefe1103000000b4'],
    ],
  },
};

interface Outcome {
  code: number | null;
  stderr: string;
  state: { pfs: { address: string; autoprobe: boolean; numVfs: number; vfs: { driver: string | null; override: string | null }[] }[] };
  record: Record<string, unknown> & { results: { target: string; ok: boolean; error?: string }[] };
}

/** Runs `sriov` on `scenario` and sends `signal` 300 ms after stderr has matched `when` `times` times. */
async function interrupt(signal: NodeJS.Signals, scenario: ScenarioFile, document: object, when: RegExp, times: number): Promise<Outcome & { intent: string }> {
  if (!existsSync(SIM_BUNDLE)) throw new Error(`${SIM_BUNDLE} is missing: run npm run build:sim first (npm test does)`);
  const root = makeTmpRoot();
  const dir = mkdtempSync(join(root, 'scenario-'));
  writeFileSync(join(dir, 'machine.json'), JSON.stringify(scenario));
  writeFileSync(join(dir, 'vendor_data2.json'), JSON.stringify(document));
  const stateOut = join(dir, 'state.json');
  const child = spawn(process.execPath, [SIM_BUNDLE, 'sriov', '--root', root, '--vendor-data', join(dir, 'vendor_data2.json')], {
    env: { PATH: process.env.PATH, GBA_SIM_SCENARIO: join(dir, 'machine.json'), GBA_SIM_STATE_OUT: stateOut, JOURNAL_STREAM: '8:1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let sent = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const seen = stderr.match(new RegExp(when.source, 'g'))?.length ?? 0;
    if (!sent && seen === times) {
      sent = true;
      // The write is logged before it is made: give both a moment to land, far below the 3 s to the first VF.
      setTimeout(() => child.kill(signal), 300);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(sent, stderr).toBe(true);
  return {
    code,
    stderr,
    state: JSON.parse(readFileSync(stateOut, 'utf8')),
    record: JSON.parse(readFileSync(join(root, 'run/guest-boot-agent/sriov.json'), 'utf8')),
    intent: readFileSync(join(root, 'run/guest-boot-agent/sriov-intent.json'), 'utf8'),
  };
}

const interruptDuringVfCreation = (signal: NodeJS.Signals) => interrupt(signal, SCENARIO, DOCUMENT, /sriov_numvfs \(create 4 VFs\)/, 2);
const interruptWith = (scenario: ScenarioFile, document: object) => interrupt('SIGTERM', scenario, document, /drivers\/mlx5_core\/bind/, 2);

describe.each(['SIGTERM', 'SIGINT'] as const)('%s in the middle of VF creation', (signal) => {
  it('restores autoprobe on both PFs, binds nothing, writes the run record, logs one line and exits 1', async () => {
    const run = await interruptDuringVfCreation(signal);
    expect(run.code).toBe(1);
    for (const pf of run.state.pfs) {
      expect(pf).toMatchObject({ autoprobe: true, numVfs: 4 });
      expect(pf.vfs.every((vf) => vf.driver === null && vf.override === null)).toBe(true);
    }
    expect(run.record).toMatchObject({ command: 'sriov', exitCode: 1, interrupted: signal });
    // Each PF (its autoprobe put back by the undo) and each of its VFs (stopped while waiting for its link).
    const vfs = (pf: string) => [0, 1, 2, 3].map((k) => `${pf}/vf${k}`);
    expect(run.record.results.filter((result) => !result.ok).map((result) => result.target).sort()).toEqual([PF_A, ...vfs(PF_A), PF_B, ...vfs(PF_B)]);
    const summary = run.stderr.split('\n').filter((line) => line.startsWith('<3>sriov: interrupted'));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatch(new RegExp(`^<3>sriov: interrupted by ${signal}: .*run recorded, exit 1$`));
    expect(JSON.parse(run.intent)).toEqual({ restore: {} });
  }, 20_000);
});

describe('SIGTERM while VFs are being bound through driver_override (autoprobe off by the operator)', () => {
  it('lets the binds in flight finish, clears every driver_override, keeps autoprobe off, empties the intent record, exit 1', async () => {
    // Each probe takes 1.5 s: the signal arrives while both bind writes are in the kernel.
    const scenario: ScenarioFile = { sriov: { pfs: [{ address: PF_A, portGuid: '04bd700300374486', totalVfs: 8, mode: 'ofed', autoprobe: false, timing: { probeMs: 1500 } }] } };
    const document = { mlnx_sriov: { enable_sriov: true, physical_guids: ['04bd700300374486'], virtual_guids: [['fefeab03004f86b9', 'fefe2b03002a5777']] } };
    const run = await interruptWith(scenario, document);
    expect(run.code).toBe(1);
    expect(run.state.pfs[0]).toMatchObject({ autoprobe: false, numVfs: 2 });
    expect(run.state.pfs[0]!.vfs.map((vf) => vf.override)).toEqual([null, null]);
    expect(JSON.parse(run.intent)).toEqual({ restore: {} });
    expect(run.record).toMatchObject({ exitCode: 1, interrupted: 'SIGTERM' });
  }, 20_000);
});

describe('SIGTERM while the metadata service does not answer', () => {
  it('stops the fetch, changes nothing, records the run as interrupted, exit 1', async () => {
    const { createServer } = await import('node:http');
    // Accepts the request and never answers: the agent is inside its 10 s attempt.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      const root = makeTmpRoot();
      const dir = mkdtempSync(join(root, 'scenario-'));
      writeFileSync(join(dir, 'machine.json'), JSON.stringify(SCENARIO));
      const stateOut = join(dir, 'state.json');
      const child = spawn(process.execPath, [SIM_BUNDLE, 'sriov', '--root', root, '--metadata-url', `http://127.0.0.1:${port}/openstack/latest/vendor_data2.json`], {
        env: { PATH: process.env.PATH, GBA_SIM_SCENARIO: join(dir, 'machine.json'), GBA_SIM_STATE_OUT: stateOut, JOURNAL_STREAM: '8:1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      server.once('request', () => setTimeout(() => child.kill('SIGTERM'), 200));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(/^<3>sriov: interrupted by SIGTERM while getting the vendor data: nothing was changed; run recorded, exit 1$/m);
      const state = JSON.parse(readFileSync(stateOut, 'utf8')) as { writes: unknown[] };
      expect(state.writes).toEqual([]);
      expect(JSON.parse(readFileSync(join(root, 'run/guest-boot-agent/sriov.json'), 'utf8'))).toMatchObject({ exitCode: 1, interrupted: 'SIGTERM', results: [] });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 20_000);
});
