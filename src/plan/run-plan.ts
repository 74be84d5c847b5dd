// The one interpreter of plans: sequential within a target, bounded-parallel across targets.
import { basename } from 'node:path/posix';
import { InterruptedError, UsageError, messageOf } from '../errors.js';
import type { Host } from '../host/host.js';
import { HostError, hasCode } from '../host/host.js';
import type { Deadline } from '../lib/deadline.js';
import { mapLimit } from '../lib/limit.js';
import type { Logger } from '../log.js';
import { isValidIfname } from '../values/ifname.js';
import type { Action, Expectation, Result, TargetPlan } from './action.js';
import { assertNever, describeAction } from './action.js';
import { updateRestores } from './intent-record.js';
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

/**
 * Runs every target's actions; a failure ends that target only. Throws only a UsageError (exit 2): a step the
 * run must not take at all (a live host's program on another --root), which every other target would hit too.
 */
export async function runPlan(host: Host, plans: readonly TargetPlan[], options: RunOptions): Promise<Result[]> {
  return mapLimit(plans, options.concurrency, (plan) => runTarget(host, plan, options));
}

async function runTarget(host: Host, plan: TargetPlan, options: RunOptions): Promise<Result> {
  const { log } = options;
  let changed = false;
  // What this target's `resolve` steps found; later steps refer to them as {name}.
  const bindings = new Map<string, string>();
  for (const action of plan.actions) {
    try {
      if (options.signal.aborted) throw options.signal.reason;
      if (options.deadline.passed()) throw new HostError('start', action.path, 'ETIMEDOUT', `the run deadline (${options.deadline.totalMs / 1000} s) has passed`);
      log.info(plan.target, `${describeAction(action)} (${action.why})`);
      changed = (await execute(host, action, { ...options, bindings, plan })) || changed;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // Interrupted: the one line for the run comes from the command; per target, what was skipped is debug detail.
      const interrupted = error instanceof InterruptedError;
      const message = interrupted ? `${messageOf(error)} before: ${describeAction(action)}` : `${describeAction(action)} failed: ${messageOf(error)}`;
      (interrupted ? log.debug : log.error)(plan.target, message);
      await undo(host, plan, log, bindings);
      return { target: plan.target, ok: false, changed, error: message };
    }
  }
  return { target: plan.target, ok: true, changed };
}

/** Best effort: every onFailure action is tried, each failure logged, none rethrown. */
async function undo(host: Host, plan: TargetPlan, log: Logger, bindings: Map<string, string>): Promise<void> {
  for (const action of plan.onFailure ?? []) {
    log.warn(plan.target, `undo: ${describeAction(action)} (${action.why})`);
    await execute(host, action, { ...UNDO_OPTIONS, log, bindings, plan }).catch((error: unknown) => log.error(plan.target, `undo failed: ${describeAction(action)}: ${messageOf(error)}`));
  }
}

/** Undo steps are writes: they run even after the deadline or a signal (that is what they are for). */
const UNDO_OPTIONS: Pick<RunOptions, 'deadline' | 'signal'> = {
  deadline: { totalMs: Number.POSITIVE_INFINITY, remainingMs: () => Number.POSITIVE_INFINITY, bound: (ms) => ms, passed: () => false },
  signal: new AbortController().signal,
};

/** What one step runs with: the run's bounds, and its target's plan and bindings. */
interface Scope extends Pick<RunOptions, 'deadline' | 'signal' | 'log'> {
  bindings: Map<string, string>;
  plan: TargetPlan;
}

/** Performs one action; resolves true when it changed something. */
async function execute(host: Host, action: Action, scope: Scope): Promise<boolean> {
  const { deadline, signal } = scope;
  const bound = (text: string) => substitute(text, scope.bindings);
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
    case 'exec':
      try {
        return await runProgram(host, action, bound, deadline);
      } catch (error) {
        const retry = action.retry;
        if (!retry || error instanceof UsageError || (await host.sysfs.exists(bound(retry.ifGone)))) throw error;
        const before = scope.bindings.get(retry.rebind);
        const resolver = scope.plan.actions.find((step): step is Extract<Action, { op: 'resolve' }> => step.op === 'resolve' && step.bind === retry.rebind);
        if (!resolver) throw error;
        await execute(host, resolver, scope);
        if (scope.bindings.get(retry.rebind) === before) throw error;
        scope.log.warn(scope.plan.target, `{${retry.rebind}} was renamed ${before} → ${scope.bindings.get(retry.rebind)} meanwhile; retrying once`);
        return runProgram(host, action, bound, deadline);
      }
    case 'resolve':
      scope.bindings.set(action.bind, await resolveName(host, action, deadline, signal));
      return false;
    case 'verify': {
      const path = bound(action.path);
      if (!(await meets(host, path, action.expect))) {
        const seen = await readForMessage(host, path, action.expect);
        throw new HostError('verify', path, 'EIO', `reads ${seen}, expected ${action.expect.kind === 'equals' ? action.expect.value : `a link to …/${action.expect.value}`}`);
      }
      return false;
    }
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

/** `{name}` → the bound value; an unbound reference is a bug in the plan, never run with the braces in it. */
function substitute(text: string, bindings: ReadonlyMap<string, string>): string {
  return text.replace(/\{([A-Za-z][A-Za-z0-9_-]*)\}/g, (_whole, name: string) => {
    const value = bindings.get(name);
    if (value === undefined) throw new Error(`plan refers to {${name}} before any resolve step bound it`);
    return value;
  });
}

/** Runs an exec action (its `unless` first); true when the program ran, false when `unless` already held. */
async function runProgram(host: Host, action: Extract<Action, { op: 'exec' }>, bound: (text: string) => string, deadline: Deadline): Promise<boolean> {
  if (action.unless) {
    const path = bound(action.unless.path);
    // A vanished path is the renamed-interface case: report it as such, so `retry` can act on it.
    if (!(await host.sysfs.exists(path))) throw new HostError('read', path, 'ENODEV', 'gone (renamed?)');
    if (await meets(host, path, action.unless.expect)) return false;
  }
  const result = await host.exec(bound(action.path), action.args.map(bound), { timeoutMs: deadline.bound(action.timeoutMs) });
  if (result.exitCode !== 0) {
    throw new Error(`exit code ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim() || 'no output'}`);
  }
  return true;
}

async function meets(host: Host, path: string, expect: Expectation): Promise<boolean> {
  if (expect.kind === 'equals') return (await host.sysfs.read(path).catch(() => undefined)) === expect.value;
  const target = await host.sysfs.readlink(path).catch(() => undefined);
  return target !== undefined && basename(target) === expect.value;
}

async function readForMessage(host: Host, path: string, expect: Expectation): Promise<string> {
  const read = expect.kind === 'equals' ? host.sysfs.read(path) : host.sysfs.readlink(path);
  return read.then((value) => JSON.stringify(value), (error: unknown) => `nothing (${messageOf(error)})`);
}

const PLAIN_NAME = /^[A-Za-z0-9_.:-]+$/;

/** A resolve step's value: validated before any later step can put it into a path or an argument. */
async function resolveName(host: Host, action: Extract<Action, { op: 'resolve' }>, deadline: Deadline, signal: AbortSignal): Promise<string> {
  const valid = (name: string | undefined): name is string =>
    name !== undefined && PLAIN_NAME.test(name) && name !== '.' && name !== '..' && (action.valid !== 'ifname' || isValidIfname(name));
  const timeoutMs = deadline.bound(action.timeoutMs);
  if (action.from.kind === 'link-basename') {
    const name = await pollUntil(host.clock, `link ${action.path}`, timeoutMs, async () => host.sysfs.readlink(action.path).then(basename, () => undefined), signal);
    if (!valid(name)) throw new HostError('resolve', action.path, 'EINVAL', `links to ${JSON.stringify(name)}, not a plain name`);
    return name;
  }
  const { expected, settleMs } = action.from;
  let last: { name: string; since: number } | undefined;
  return pollUntil(host.clock, `one entry under ${action.path}`, timeoutMs, async () => {
    const names = (await host.sysfs.exists(action.path)) ? await host.sysfs.list(action.path) : [];
    const name = names.length === 1 ? names[0] : undefined;
    if (!valid(name)) return undefined;
    if (name === expected) return name;
    const now = host.clock.now();
    if (last?.name !== name) last = { name, since: now };
    return now - last.since >= settleMs ? name : undefined;
  }, signal);
}
