// The one interpreter of plans: sequential within a target, bounded-parallel across targets.
import type { Host } from '../host/host.js';
import { HostError, hasCode } from '../host/host.js';
import { mapLimit } from '../lib/limit.js';
import type { Logger } from '../log.js';
import { InterruptedError, messageOf } from '../errors.js';
import type { Deadline } from '../lib/deadline.js';
import type { Action, Result, TargetPlan } from './action.js';
import { assertNever, describeAction } from './action.js';
import { updateRestores } from './intent-record.js';
import { executeSetMac } from './execute-set-mac.js';
import { pollUntil } from './wait.js';

export interface RunOptions {
  log: Logger;
  /** Targets in flight at once (DESIGN §4: default 16). */
  concurrency: number;
  /** The run's deadline: no step starts after it, and every wait and program call is cut to what is left of it. */
  deadline: Deadline;
  /** SIGTERM/SIGINT: no further step starts; the target's undo steps still run. */
  signal: AbortSignal;
}

/** Runs every target's actions; a failure ends that target only. Never throws. */
export async function runPlan(host: Host, plans: readonly TargetPlan[], options: RunOptions): Promise<Result[]> {
  return mapLimit(plans, options.concurrency, (plan) => runTarget(host, plan, options));
}

async function runTarget(host: Host, plan: TargetPlan, options: RunOptions): Promise<Result> {
  const { log } = options;
  let changed = false;
  for (const action of plan.actions) {
    try {
      if (options.signal.aborted) throw options.signal.reason;
      if (options.deadline.passed()) throw new HostError('start', action.path, 'ETIMEDOUT', `the run deadline (${options.deadline.totalMs / 1000} s) has passed`);
      log.info(plan.target, `${describeAction(action)} (${action.why})`);
      changed = (await execute(host, action, options)) || changed;
    } catch (error) {
      // Interrupted: the one line for the run comes from the command; per target, what was skipped is debug detail.
      const interrupted = error instanceof InterruptedError;
      const message = interrupted ? `${messageOf(error)} before: ${describeAction(action)}` : `${describeAction(action)} failed: ${messageOf(error)}`;
      (interrupted ? log.debug : log.error)(plan.target, message);
      await undo(host, plan, log);
      return { target: plan.target, ok: false, changed, error: message };
    }
  }
  return { target: plan.target, ok: true, changed };
}

/** Best effort: every onFailure action is tried, each failure logged, none rethrown. */
async function undo(host: Host, plan: TargetPlan, log: Logger): Promise<void> {
  for (const action of plan.onFailure ?? []) {
    log.warn(plan.target, `undo: ${describeAction(action)} (${action.why})`);
    await execute(host, action, UNDO_OPTIONS).catch((error: unknown) => log.error(plan.target, `undo failed: ${describeAction(action)}: ${messageOf(error)}`));
  }
}

/** Undo steps are writes: they run even after the deadline or a signal (that is what they are for). */
const UNDO_OPTIONS: Pick<RunOptions, 'deadline' | 'signal'> = {
  deadline: { totalMs: Number.POSITIVE_INFINITY, remainingMs: () => Number.POSITIVE_INFINITY, bound: (ms) => ms, passed: () => false },
  signal: new AbortController().signal,
};

/** Performs one action; resolves true when it changed something. */
async function execute(host: Host, action: Action, options: Pick<RunOptions, 'deadline' | 'signal'>): Promise<boolean> {
  const { deadline, signal } = options;
  switch (action.op) {
    case 'write':
      try {
        await host.sysfs.write(action.path, action.value);
        return true;
      } catch (error) {
        // Planned tolerance: the step after this one (a wait on the outcome) decides.
        if (action.tolerate && hasCode(error, ...action.tolerate)) return false;
        if (action.okIfAlready && hasCode(error, 'EINVAL')) {
          if ((await host.sysfs.read(action.path).catch(() => undefined)) === action.value) return false;
        }
        throw error;
      }
    case 'wait': {
      const { until, path } = action;
      await pollUntil(host.clock, path, deadline.bound(action.timeoutMs), async () => {
        if (until.kind === 'exists') return (await host.sysfs.exists(path)) || undefined;
        if (until.kind === 'links-to') return (await host.sysfs.readlink(path).catch(() => '')).split('/').at(-1) === until.name || undefined;
        const value = await host.sysfs.read(path).catch(() => undefined);
        return value === until.value || undefined;
      }, signal);
      return false;
    }
    case 'exec': {
      const result = await host.exec(action.path, action.args, { timeoutMs: deadline.bound(action.timeoutMs) });
      if (result.exitCode !== 0) {
        throw new Error(`exit code ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
      }
      return true;
    }
    case 'set-mac':
      return executeSetMac(host, { ...action, timeoutMs: deadline.bound(action.timeoutMs) });
    case 'remember':
      await updateRestores(host.files, action.path, (restores) => void (restores[action.key] = action.value));
      return true;
    case 'forget':
      await updateRestores(host.files, action.path, (restores) => void delete restores[action.key]);
      return true;
    default:
      return assertNever(action);
  }
}
