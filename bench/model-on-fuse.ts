// The kernel model of test/sim served through FUSE as its own process, for the benchmark (bench/run.mjs): the
// production bundle runs against it with --root, timed from outside. Bundled to dist-bench/model-on-fuse.mjs by
// scripts/build-fuse.mjs; run from the repository root.
//
//   node dist-bench/model-on-fuse.mjs <scenario.json>
// prints one JSON line {root, binDir} once mounted, then answers lines on stdin:
//   reset → a fresh machine from the scenario, an empty record and /run; answers "ok"
//   stats → one JSON line: the model's record of the last run (writes in flight at once, per path)
//   steps → one JSON line: the last run's steps, start and end on the wall clock (for profiling a run)
//   quit  → unmounts and exits
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ModelServer } from '../test/fuse/model-server.js';
import { mountModel } from '../test/fuse/mount.js';
import type { ScenarioFile } from '../test/sim/scenario-file.js';
import { buildMachine } from '../test/sim/scenario-file.js';

const scenarioPath = process.argv[2];
if (!scenarioPath) throw new Error('usage: model-on-fuse.js <scenario.json>');
const scenario = JSON.parse(readFileSync(scenarioPath, 'utf8')) as ScenarioFile;
const server = new ModelServer(buildMachine(scenario).kernel);
const mount = await mountModel(server, { repo: process.cwd() });
process.stdout.write(`${JSON.stringify({ root: mount.root, binDir: mount.binDir })}\n`);

const quit = async () => {
  await mount.close();
  process.exit(0);
};
process.on('SIGTERM', () => void quit());

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'reset') {
    await server.idle();
    server.kernel = buildMachine(scenario).kernel;
    server.resetRecord();
    mount.clearRun();
    process.stdout.write('ok\n');
  } else if (line === 'stats') {
    await server.idle();
    const writes = server.steps.filter((step) => step.kind === 'write');
    process.stdout.write(
      `${JSON.stringify({
        writes: writes.length,
        execs: server.steps.length - writes.length,
        maxWritesInFlight: server.maxWritesInFlight,
        maxInFlightByPath: Object.fromEntries(server.maxInFlightByPath),
        writesByPath: writes.reduce<Record<string, number>>((count, step) => ({ ...count, [step.target]: (count[step.target] ?? 0) + 1 }), {}),
      })}\n`,
    );
  } else if (line === 'steps') {
    // The last run's steps on the wall clock (ms since the epoch), to lay them next to the agent's own timeline.
    await server.idle();
    const wall = (at: number | undefined) => (at === undefined ? undefined : performance.timeOrigin + at);
    process.stdout.write(`${JSON.stringify(server.steps.map((step) => ({ ...step, start: wall(step.start), end: wall(step.end) })))}\n`);
  } else if (line === 'quit') {
    break;
  }
}
await quit();
