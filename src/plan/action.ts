// Plans are data: an Action[] per target. --dry-run prints exactly the plan
// that run-plan.ts executes, and --json emits these objects as they are.

/** What a `wait` action waits for. */
export type WaitUntil =
  | { kind: 'exists' }
  | { kind: 'equals'; value: string }
  /** A symlink whose target's last component is `name` (a device's `driver` link → the bound driver). */
  | { kind: 'links-to'; name: string };

/** Which interface a `set-mac` action applies to. */
export type NetdevRef =
  /** A known interface name (setmac mode: udev already told us). */
  | { name: string }
  /** The single interface under a device's `net/` directory, once udev has renamed it (qeth mode). */
  | { under: string; expectedName: string };

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
  | { op: 'exec'; target: string; path: string; args: string[]; timeoutMs: number; why: string }
  | { op: 'set-mac'; target: string; path: string; value: string; netdev: NetdevRef; timeoutMs: number; why: string }
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
    case 'exec':
      return `run ${[action.path, ...action.args].join(' ')}`;
    case 'remember':
      return `record in ${action.path}: restore ${JSON.stringify(action.value)} > ${action.key}`;
    case 'forget':
      return `drop ${action.key} from ${action.path}`;
    case 'set-mac':
      return 'name' in action.netdev
        ? `set MAC of ${action.netdev.name} to ${action.value}`
        : `set MAC of the interface under ${action.path} (expected ${action.netdev.expectedName}) to ${action.value}`;
    default:
      return assertNever(action);
  }
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Compile-time exhaustiveness check for switches over discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`unhandled variant: ${JSON.stringify(value)}`);
}
