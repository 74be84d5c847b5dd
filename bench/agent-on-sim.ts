// The real CLI on a simulated kernel, as its own bundle (dist-bench/agent-on-sim.js): benchmarks and
// process-level tests run whole agent processes on machines without s390x or Mellanox hardware.
// The scenario JSON (GBA_SIM_SCENARIO) describes the machine; files, HTTP and stdin are the real ones.
// First, as in src/main.ts: size libuv's thread pool before any fs call.
import '../src/size-threadpool.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { runAsProcess } from '../src/cli/run-process.js';
import { createImageFs } from '../src/host/image-fs.js';
import { createNodeHost } from '../src/host/node-host.js';
import type { ScenarioFile } from '../test/sim/scenario-file.js';
import { buildMachine } from '../test/sim/scenario-file.js';
import { createSimHost } from '../test/sim/sim-host.js';

const scenarioPath = process.env.GBA_SIM_SCENARIO;
if (!scenarioPath) throw new Error('GBA_SIM_SCENARIO must name a scenario JSON file');
const machine = buildMachine(JSON.parse(readFileSync(scenarioPath, 'utf8')) as ScenarioFile);
const sim = createSimHost(machine.tree, machine.programs);

runAsProcess((root) => ({ ...createNodeHost(root), sysfs: sim.sysfs, exec: sim.exec }), (root) => createImageFs(root));

// The benchmark's memory probe: the kernel's own peak RSS for this process, at exit.
if (process.env.GBA_REPORT_MAXRSS) process.on('exit', () => process.stderr.write(`maxrss_kb=${process.resourceUsage().maxRSS}\n`));

// Process-level tests (SIGTERM, the crash sweep) see the kernel's final state here: the model lives in this process.
const stateOut = process.env.GBA_SIM_STATE_OUT;
if (stateOut) {
  process.on('exit', () => {
    const pfs = (machine.kernel.options.sriov?.pfs ?? []).map((pf) => machine.kernel.pf(pf.address));
    writeFileSync(stateOut, JSON.stringify({ pfs, writes: machine.kernel.writes }));
  });
}
