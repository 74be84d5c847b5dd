// The crash sweep and the error sweep over the FUSE model (issue 10): for every mutating step k of a clean run
// (an attribute write or a program run), kill the agent right after step k took effect, or fail step k once, and
// check what the next runs make of it. Each returns the k's that broke a rule, with the reason, so a failing
// sweep names all its failures at once.
import type { SimKernelOptions } from '../sim/kernel.js';
import { dumpModel } from './dump.js';
import type { FuseModel } from './harness.js';
import type { Step } from './model-server.js';

export interface SweepCase {
  machine: SimKernelOptions;
  args: string[];
  /** PF addresses whose firmware state belongs in the dump (sriov). */
  pfs?: string[];
}

export interface Failure {
  k: number;
  step: string;
  reason: string;
}

const describeStep = (step: Step) => `${step.kind} ${step.target}${step.value === undefined ? '' : ` ← ${JSON.stringify(step.value)}`}`;

/** The error lines of a run's stderr, or its tail when it died without one (an uncaught exception). */
const errors = (stderr: string) => {
  const lines = stderr.trim().split('\n');
  const logged = lines.filter((line) => line.startsWith('<3>'));
  return (logged.length > 0 ? logged.slice(0, 3) : lines.slice(-12)).join(' | ');
};

/** A step that changes the machine: any attribute write, and program runs other than `ip link show`. */
const mutating = (step: Step) => step.kind === 'write' || !/^ip (-o )?link show\b/.test(step.target);

/** The clean run: its exit code must be 0; gives the final state and the steps. */
export async function cleanRun(model: FuseModel, c: SweepCase): Promise<{ dump: string[]; steps: Step[] }> {
  const kernel = model.boot(c.machine);
  const run = await model.run(c.args);
  if (run.code !== 0) throw new Error(`the clean run exited ${run.code}:\n${run.stderr}`);
  return { dump: await dumpModel(kernel, c.pfs), steps: model.server.steps.filter(mutating) };
}

/** First difference of two dumps, for a readable failure. */
function difference(want: string[], got: string[]): string {
  const missing = want.filter((line) => !got.includes(line));
  const extra = got.filter((line) => !want.includes(line));
  return `clean run has ${JSON.stringify(missing.slice(0, 8))}, this one ${JSON.stringify(extra.slice(0, 8))}`;
}

/** Runs once more and checks it changes nothing. */
async function quiet(model: FuseModel, c: SweepCase): Promise<string | undefined> {
  model.server.resetRecord();
  const third = await model.run(c.args);
  if (third.code !== 0) return `third run exited ${third.code}: ${errors(third.stderr)}`;
  const changes = model.server.steps.filter(mutating);
  if (changes.length > 0) return `third run still changed: ${changes.map(describeStep).join('; ')}`;
  return undefined;
}

/** SIGKILL after step k for every k: the second run exits 0 and leaves exactly the clean state, a third changes nothing. */
export async function crashSweep(model: FuseModel, c: SweepCase, only?: readonly number[]): Promise<{ n: number; failures: Failure[] }> {
  const clean = await cleanRun(model, c);
  const failures: Failure[] = [];
  const ks = only ?? clean.steps.map((_, i) => i + 1);
  for (const k of ks) {
    const kernel = model.boot(c.machine);
    let killedAfter: Step | undefined;
    let seen = 0;
    model.server.hooks = {
      afterStep: (step) => {
        if (!mutating(step) || ++seen !== k) return;
        killedAfter = step;
        if (model.pid) process.kill(model.pid, 'SIGKILL');
      },
    };
    const first = await model.run(c.args);
    model.server.hooks = {};
    const fail = (reason: string) => failures.push({ k, step: killedAfter ? describeStep(killedAfter) : `(step ${k} never came)`, reason });
    if (first.signal !== 'SIGKILL') {
      fail(`the agent was not killed (exit ${first.code}): ${errors(first.stderr)}`);
      continue;
    }
    const second = await model.run(c.args);
    if (second.code !== 0) {
      fail(`second run exited ${second.code}: ${errors(second.stderr)}`);
      continue;
    }
    const dump = await dumpModel(kernel, c.pfs);
    if (dump.join('\n') !== clean.dump.join('\n')) {
      fail(`second run left another state: ${difference(clean.dump, dump)}`);
      continue;
    }
    const third = await quiet(model, c);
    if (third) fail(third);
  }
  return { n: clean.steps.length, failures };
}

/** What the error sweep fails step k with: ENODEV for an `online` write (hardsetup), else EIO or EBUSY by turns. */
export function errnoFor(step: Step, k: number): string {
  if (step.kind === 'write' && step.target.endsWith('/online') && step.value === '1') return 'ENODEV';
  return k % 2 === 1 ? 'EIO' : 'EBUSY';
}

/** Step k fails once: the run exits 1 naming the failed target, `independent(step, kernel)` holds (every device
 * not involved in the step is configured), and a re-run without faults converges to the clean state. */
export async function errorSweep(
  model: FuseModel,
  c: SweepCase,
  checks: { named: (step: Step) => string[]; independent: (step: Step, dump: string[], clean: string[]) => string | undefined },
  only?: readonly number[],
): Promise<{ n: number; failures: Failure[] }> {
  const clean = await cleanRun(model, c);
  const failures: Failure[] = [];
  const ks = only ?? clean.steps.map((_, i) => i + 1);
  for (const k of ks) {
    const kernel = model.boot(c.machine);
    let failed: Step | undefined;
    let seen = 0;
    model.server.hooks = {
      failStep: (step) => {
        if (!mutating(step) || ++seen !== k) return undefined;
        failed = step;
        return errnoFor(step, k);
      },
    };
    const first = await model.run(c.args);
    model.server.hooks = {};
    const fail = (reason: string) => failures.push({ k, step: failed ? `${describeStep(failed)} fails ${errnoFor(failed, k)}` : `(step ${k} never came)`, reason });
    if (!failed) {
      fail('the run had fewer steps than the clean one');
      continue;
    }
    if (first.code !== 1) fail(`exited ${first.code}, not 1`);
    const names = checks.named(failed);
    if (!names.some((name) => first.stderr.includes(name))) fail(`stderr names none of ${JSON.stringify(names)}`);
    const broken = checks.independent(failed, await dumpModel(kernel, c.pfs), clean.dump);
    if (broken) fail(`an independent device was not configured: ${broken}`);
    const again = await model.run(c.args);
    if (again.code !== 0) {
      fail(`the re-run exited ${again.code}`);
      continue;
    }
    const dump = await dumpModel(kernel, c.pfs);
    if (dump.join('\n') !== clean.dump.join('\n')) fail(`the re-run left another state: ${difference(clean.dump, dump)}`);
  }
  return { n: clean.steps.length, failures };
}

export const report = (failures: Failure[]) => failures.map((f) => `k=${f.k} (${f.step}): ${f.reason}`).join('\n');
