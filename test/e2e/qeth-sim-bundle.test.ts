// The sim bundle (dist-bench/agent-on-sim.js: the real CLI with sysfs and programs from the simulated kernel) as a
// real process: cio_ignore hygiene as a whole run shows it in its --json document and its log.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBundle } from '../helpers/run-bundle.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';
import type { ScenarioFile } from '../sim/scenario-file.js';

const SIM_BUNDLE = join(__dirname, '../../dist-bench/agent-on-sim.js');

async function runQeth(scenario: ScenarioFile, cmdline: string) {
  const root = makeTmpRoot();
  const file = join(mkdtempSync(join(root, 'scenario-')), 'machine.json');
  writeFileSync(file, JSON.stringify(scenario));
  const run = await runBundle(['qeth', '--json', '--root', root, '--cmdline', cmdline], { bundle: SIM_BUNDLE, env: { GBA_SIM_SCENARIO: file, JOURNAL_STREAM: '8:1' } });
  return { ...run, doc: JSON.parse(run.stdout) as { actions: { target: string; path: string; value?: string }[]; exitCode: number } };
}
const cioWrites = (doc: { actions: { path: string; value?: string }[] }) => doc.actions.filter((a) => a.path === '/proc/cio_ignore').map((a) => a.value);

describe('qeth cio_ignore hygiene in the sim bundle', () => {
  it('frees nothing next to a visible non-qeth read device (exit 1, the reason names what stays hidden)', async () => {
    const run = await runQeth(
      { qeth: { devices: [{ busId: '0.0.0001', cutype: '3990/e9', devtype: '3390/0c', driver: null }, { busId: '0.0.0002' }, { busId: '0.0.0003' }], moduleLoaded: true, ignored: ['0.0.0002-0.0.0003'] } },
      '0001,0;',
    );
    expect(cioWrites(run.doc)).toEqual([]);
    expect(run.stderr).toMatch(/^<3>0\.0\.0001: cannot be configured: .*not a qeth device.*0\.0\.0002, 0\.0\.0003 stay hidden by cio_ignore/m);
    expect([run.code, run.doc.exitCode]).toEqual([1, 1]);
  });

  it('hides again the device it freed but did not group, and logs both writes', async () => {
    const run = await runQeth(
      { qeth: { devices: [{ busId: '0.0.0001' }, { busId: '0.0.0002' }, { busId: '0.0.0003', chpid: '22' }, { busId: '0.0.0004' }], moduleLoaded: true, ignored: ['0.0.0000-0.0.0003'] } },
      '0001,0;',
    );
    expect(cioWrites(run.doc)).toEqual(['free 0.0.0001,0.0.0002,0.0.0003', 'add 0.0.0003']);
    expect(run.stderr).toMatch(/^<6>cio_ignore: write "free 0\.0\.0001,0\.0\.0002,0\.0\.0003" > \/proc\/cio_ignore/m);
    expect(run.stderr).toMatch(/^<6>cio_ignore: write "add 0\.0\.0003" > \/proc\/cio_ignore \(freed by this run but not grouped/m);
    expect(run.code, run.stderr).toBe(0);
  });
});
