// The plan runner under the run's deadline and signal, on the simulated kernel: a wait gets what is left of the run,
// no step starts after the deadline, and an interrupted target runs its undo steps.
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { createDeadline } from '../../src/lib/deadline.js';
import { createLogger } from '../../src/log.js';
import type { TargetPlan } from '../../src/plan/action.js';
import { runPlan } from '../../src/plan/run-plan.js';
import { simSriov, mlx5Pf } from '../sim/sriov-scenario.js';

const PF = '0000:01:00.0';
const AUTOPROBE = `/sys/bus/pci/devices/${PF}/sriov_drivers_autoprobe`;

function setup() {
  const { kernel, host } = simSriov({ pfs: [mlx5Pf(PF, { portGuid: '04bd700300374486', totalVfs: 4, mode: 'inbox' })] });
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', journal: true, sink: (line) => lines.push(line) });
  return { kernel, host, log, lines };
}

const holdThenWait = (timeoutMs: number): TargetPlan => ({
  target: PF,
  actions: [
    { op: 'write', target: PF, path: AUTOPROBE, value: '0', why: 'hold' },
    { op: 'wait', target: PF, path: `/sys/bus/pci/devices/${PF}/virtfn0`, until: { kind: 'exists' }, timeoutMs, why: 'never comes' },
    { op: 'write', target: PF, path: AUTOPROBE, value: '1', why: 'restore' },
  ],
  onFailure: [{ op: 'write', target: PF, path: AUTOPROBE, value: '1', why: 'restore on failure' }],
});

describe('runPlan with the run deadline', () => {
  it("cuts a wait to what is left of the run, not the step's own 60 s, and undoes the hold", async () => {
    const { kernel, host, log } = setup();
    const deadline = createDeadline(() => host.clock.now(), 300);
    const [result] = await runPlan(host, [holdThenWait(60_000)], { log, concurrency: 1, deadline, signal: new AbortController().signal });
    expect(result).toMatchObject({ ok: false });
    expect(result!.error).toMatch(/ETIMEDOUT \(not within (2\d\d|300) ms\)/);
    expect(kernel.pf(PF)!.autoprobe).toBe(true);
  });

  it('starts no step once the deadline has passed', async () => {
    const { host, log } = setup();
    const deadline = createDeadline(() => host.clock.now(), 0);
    const [result] = await runPlan(host, [holdThenWait(1000)], { log, concurrency: 1, deadline, signal: new AbortController().signal });
    expect(result!.error).toMatch(/run deadline .* has passed/);
    expect(host.writes.filter((w) => w.path === AUTOPROBE).map((w) => w.value)).toEqual(['1']);
  });

  it('stops a waiting target on SIGTERM, runs its undo step, says interrupted', async () => {
    const { kernel, host, log, lines } = setup();
    const stop = new AbortController();
    const running = runPlan(host, [holdThenWait(60_000)], { log, concurrency: 1, deadline: createDeadline(() => host.clock.now(), 120_000), signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(kernel.pf(PF)!.autoprobe).toBe(false);
    stop.abort(new InterruptedError('SIGTERM'));
    const [result] = await running;
    expect(result).toMatchObject({ ok: false, changed: true });
    expect(result!.error).toMatch(/^interrupted by SIGTERM before: wait/);
    expect(kernel.pf(PF)!.autoprobe).toBe(true);
    expect(lines.some((line) => line.startsWith(`<4>${PF}: undo: write "1"`))).toBe(true);
  });
});
