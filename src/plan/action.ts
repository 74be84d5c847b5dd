// Plans are data: an Action[] per target. --dry-run prints exactly the plan
// that run-plan.ts executes, and --json emits these objects as they are.

/** What a `wait` action waits for. */
export type WaitUntil =
  | { kind: 'exists' }
  | { kind: 'equals'; value: string };

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
    }
  | { op: 'wait'; target: string; path: string; until: WaitUntil; timeoutMs: number; why: string }
  | { op: 'exec'; target: string; path: string; args: string[]; timeoutMs: number; why: string }
  | { op: 'set-mac'; target: string; path: string; value: string; netdev: NetdevRef; timeoutMs: number; why: string }
  /**
   * Bind the VF behind the PF's `virtfn<k>` link (`path`) to driver `value`: resolved at run time because
   * the link only appears after sriov_numvfs is written. `rebind` unbinds first (the VF still sees old
   * GUIDs); `override` sets driver_override for the bind (autoprobe is off on this PF) and clears it after.
   */
  | { op: 'bind-vf'; target: string; path: string; value: string; rebind: boolean; override: boolean; timeoutMs: number; why: string };

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
      return `write ${JSON.stringify(action.value)} > ${action.path}`;
    case 'wait':
      return action.until.kind === 'exists'
        ? `wait ≤${seconds(action.timeoutMs)} for ${action.path} to exist`
        : `wait ≤${seconds(action.timeoutMs)} for ${action.path} = ${JSON.stringify(action.until.value)}`;
    case 'exec':
      return `run ${[action.path, ...action.args].join(' ')}`;
    case 'bind-vf':
      return `${action.rebind ? 'rebind' : 'bind'} the VF behind ${action.path} to ${action.value}${action.override ? ' (via driver_override)' : ''}`;
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
