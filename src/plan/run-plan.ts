// The one interpreter of plans: sequential within a target, bounded-parallel across targets.
import type { Host } from '../host/host.js';
import { hasCode } from '../host/host.js';
import { mapLimit } from '../lib/limit.js';
import type { Logger } from '../log.js';
import { UsageError, messageOf } from '../errors.js';
import type { Action, Result, TargetPlan } from './action.js';
import { assertNever, describeAction } from './action.js';
import { executeBindVf } from './execute-bind-vf.js';
import { executeSetMac } from './execute-set-mac.js';
import { pollUntil } from './wait.js';

export interface RunOptions {
  log: Logger;
  /** Targets in flight at once (DESIGN §4: default 16). */
  concurrency: number;
}

/**
 * Runs every target's actions; a failure ends that target only. Throws only a UsageError (exit 2): a step the
 * run must not take at all (a live host's program on another --root), which every other target would hit too.
 */
export async function runPlan(host: Host, plans: readonly TargetPlan[], options: RunOptions): Promise<Result[]> {
  return mapLimit(plans, options.concurrency, (plan) => runTarget(host, plan, options.log));
}

async function runTarget(host: Host, plan: TargetPlan, log: Logger): Promise<Result> {
  let changed = false;
  for (const action of plan.actions) {
    try {
      log.info(plan.target, `${describeAction(action)} (${action.why})`);
      changed = (await execute(host, action)) || changed;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const message = `${describeAction(action)} failed: ${messageOf(error)}`;
      log.error(plan.target, message);
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
    await execute(host, action).catch((error: unknown) => log.error(plan.target, `undo failed: ${describeAction(action)}: ${messageOf(error)}`));
  }
}

/** Performs one action; resolves true when it changed something. */
async function execute(host: Host, action: Action): Promise<boolean> {
  switch (action.op) {
    case 'write':
      try {
        await host.sysfs.write(action.path, action.value);
        return true;
      } catch (error) {
        if (action.okIfAlready && hasCode(error, 'EINVAL')) {
          if ((await host.sysfs.read(action.path).catch(() => undefined)) === action.value) return false;
        }
        throw error;
      }
    case 'wait': {
      const { until, path } = action;
      await pollUntil(host.clock, path, action.timeoutMs, async () => {
        if (until.kind === 'exists') return (await host.sysfs.exists(path)) || undefined;
        const value = await host.sysfs.read(path).catch(() => undefined);
        return value === until.value || undefined;
      });
      return false;
    }
    case 'exec': {
      const result = await host.exec(action.path, action.args, { timeoutMs: action.timeoutMs });
      if (result.exitCode !== 0) {
        throw new Error(`exit code ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
      }
      return true;
    }
    case 'set-mac':
      return executeSetMac(host, action);
    case 'bind-vf':
      return executeBindVf(host, action);
    default:
      return assertNever(action);
  }
}
