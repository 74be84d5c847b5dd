// Plans are data: an Action[] per target. --dry-run prints exactly the plan
// that run-plan.ts executes, and --json emits these objects as they are.

/** What a `wait` action waits for. */
export type WaitUntil =
  | { kind: 'exists' }
  | { kind: 'equals'; value: string }
  /** A symlink whose target's last component is `name` (a device's `driver` link → the bound driver). */
  | { kind: 'links-to'; name: string };

/**
 * How a `resolve` action finds the value it binds (a name only the running kernel knows: an interface udev is
 * still renaming, the PCI address behind a `virtfn<k>` link that appears after numvfs).
 */
export type ResolveFrom =
  /** The one entry of directory `path` once its name is stable: `expected` at once, else unchanged for `settleMs`. */
  | { kind: 'single-entry'; expected?: string; settleMs: number }
  /** The last component of symlink `path`'s target. */
  | { kind: 'link-basename' };

/** What a `verify` action (or an `unless`) requires of `path`. */
export type Expectation =
  | { kind: 'equals'; value: string }
  /** A symlink whose target's last component is `value` (e.g. a device's `driver`). */
  | { kind: 'links-to'; value: string };

/**
 * Binding references: `{name}` inside an action's `path`, `args` or `unless.path` stands for the value an earlier
 * `resolve` action of the same target bound to `name`. Nothing else is substituted.
 */
export const bindingRef = (name: string): string => `{${name}}`;

export type Action =
  | {
      op: 'write';
      target: string;
      path: string;
      value: string;
      why: string;
      /** EINVAL while the attribute already reads `value` counts as done (`online`: someone else got there first). */
      okIfAlready?: boolean;
      /** errno names that are not a failure of this step: the next step (a wait) decides, e.g. EBUSY from a
       * driver's bind when udev or autoprobe bound the device in between. Planned, so --dry-run shows it. */
      tolerate?: string[];
    }
  | { op: 'wait'; target: string; path: string; until: WaitUntil; timeoutMs: number; why: string }
  | {
      op: 'exec';
      target: string;
      path: string;
      args: string[];
      timeoutMs: number;
      why: string;
      /** Skipped (nothing changed) when `path` already meets `expect` — read at run time, right before. */
      unless?: { path: string; expect: Expectation };
      /**
       * When the step fails and `ifGone` (a path using the binding) no longer exists, the bound object was renamed
       * meanwhile: resolve `rebind` again and, if the value changed, run the step once more (udev's rename race).
       */
      retry?: { rebind: string; ifGone: string };
    }
  /** Binds `bind` to a name found at run time (see ResolveFrom); waits up to `timeoutMs` for it. The value must be a
   * plain name ([A-Za-z0-9_.:-], not `.` or `..`; `ifname` also at most 15 characters) or the target fails. */
  | { op: 'resolve'; target: string; path: string; bind: string; from: ResolveFrom; valid: 'ifname' | 'name'; timeoutMs: number; why: string }
  /** Fails the target unless `path` meets `expect` (the kernel's read-back after a change). */
  | { op: 'verify'; target: string; path: string; expect: Expectation; why: string }
  /**
   * Crash safety of a temporary setting: before changing sysfs attribute `key`, store in the intent record
   * (`path`, replaced atomically) the value that puts it back; a later run that finds it restores it first.
   */
  | { op: 'remember'; target: string; path: string; key: string; value: string; why: string }
  /** The temporary setting `key` is back to normal: drop it from the intent record at `path`. */
  | { op: 'forget'; target: string; path: string; key: string; why: string };

export type Op = Action['op'];

/** All the actions of one target (a device, a PF, or a shared step), run in order. */
export interface TargetPlan {
  target: string;
  actions: Action[];
  /** Run, best effort, only when an action failed: undo a temporary change (e.g. restore autoprobe). */
  onFailure?: Action[];
}

/** The outcome for one target. `changed` is true when at least one action ran. */
export interface Result {
  target: string;
  ok: boolean;
  changed: boolean;
  error?: string;
}

/** One result per target, in first-seen order, for a target run in several phases (a VF's GUIDs, then its bind):
 * ok only if every phase was, changed if any was, the first error. */
export function combineResults(results: readonly Result[]): Result[] {
  const byTarget = new Map<string, Result>();
  for (const result of results) {
    const seen = byTarget.get(result.target);
    if (!seen) {
      byTarget.set(result.target, result);
      continue;
    }
    const error = seen.error ?? result.error;
    byTarget.set(result.target, { target: seen.target, ok: seen.ok && result.ok, changed: seen.changed || result.changed, ...(error !== undefined ? { error } : {}) });
  }
  return [...byTarget.values()];
}

/** One line describing an action, for logs and the dry-run listing. */
export function describeAction(action: Action): string {
  switch (action.op) {
    case 'write':
      return `write ${JSON.stringify(action.value)} > ${action.path}${action.tolerate ? ` (${action.tolerate.join(', ')} tolerated)` : ''}`;
    case 'wait':
      switch (action.until.kind) {
        case 'exists':
          return `wait ≤${seconds(action.timeoutMs)} for ${action.path} to exist`;
        case 'equals':
          return `wait ≤${seconds(action.timeoutMs)} for ${action.path} = ${JSON.stringify(action.until.value)}`;
        case 'links-to':
          return `wait ≤${seconds(action.timeoutMs)} for ${action.path} → ${action.until.name}`;
        default:
          return assertNever(action.until);
      }
    case 'exec': {
      const run = `run ${[action.path, ...action.args].join(' ')}`;
      const unless = action.unless ? ` unless ${action.unless.path} ${describeExpectation(action.unless.expect)}` : '';
      const retry = action.retry ? `; if ${action.retry.ifGone} is gone meanwhile, resolve {${action.retry.rebind}} again and retry once` : '';
      return `${run}${unless}${retry}`;
    }
    case 'resolve':
      return action.from.kind === 'single-entry'
        ? `resolve {${action.bind}} = the one entry of ${action.path} once its name is stable (${action.from.expected ? `${action.from.expected} at once, else ` : ''}unchanged for ${seconds(action.from.settleMs)}; ≤${seconds(action.timeoutMs)})`
        : `resolve {${action.bind}} = the target name of link ${action.path} (≤${seconds(action.timeoutMs)})`;
    case 'verify':
      return `verify ${action.path} ${describeExpectation(action.expect)}`;
    case 'remember':
      return `record in ${action.path}: restore ${JSON.stringify(action.value)} > ${action.key}`;
    case 'forget':
      return `drop ${action.key} from ${action.path}`;
    default:
      return assertNever(action);
  }
}

function describeExpectation(expect: Expectation): string {
  return expect.kind === 'equals' ? `= ${JSON.stringify(expect.value)}` : `links to …/${expect.value}`;
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Compile-time exhaustiveness check for switches over discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
