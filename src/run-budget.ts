// The run budgets (one deadline per run) and the worst case they give each command, from which the units'
// TimeoutStartSec is derived: test/unit/run-budget.test.ts fails when a unit allows less than its command's worst
// case. Change a number here and the unit comment, the unit and the README table must follow.

/** The sriov fetch budget, `--timeout` (seconds): the metadata service's retries and the config drive share it. */
export const DEFAULT_FETCH_TIMEOUT_S = 120;

/**
 * sriov after the document is in hand: waiting for a named PF (PF_WAIT_MS, 30 s), VF appearance (30 s + 0.6 s per
 * VF: 68 s for 64 VFs), GUIDs and binds (30 s verify bound, shared): 128 s for 64 VFs. More VFs than that are still
 * bounded by the deadline, and a wait that runs out says so.
 */
export const SRIOV_APPLY_BUDGET_MS = 150_000;

/** How long a PF the vendor data names may take to appear (mlx5 probe, zPCI hotplug), within the deadline: long
 * enough for a slow probe, short enough that a machine without the adapter fails within the boot's patience. */
export const PF_WAIT_MS = 30_000;

/** Budgets of the commands whose work does not depend on an option. */
export const RUN_BUDGET_MS = {
  /** modprobe (30 s) + the driver (10 s), then per device in parallel: appear, bind, group (10 s each), online
   * (the kernel's time: hardsetup can take tens of seconds on a failing adapter) and the rename (10 s). */
  qeth: 150_000,
  /** Wait for the name to settle (10 s) and one `ip link set` (10 s). */
  setmac: 20_000,
  show: 60_000,
  /** systemctl --root enable (60 s) per unit, three units, plus copying. */
  install: 240_000,
} as const;

/**
 * After the deadline a run still undoes temporary settings (autoprobe, driver_override), writes its run record and
 * exits: a few sysfs writes and one file, which the kernel cannot be made to bound, so they get this allowance.
 */
export const WRAP_UP_MS = 10_000;

export type BudgetedCommand = keyof typeof RUN_BUDGET_MS | 'sriov';

/** The run budget of `command`; for sriov the fetch budget in seconds (`--timeout`) plus the apply budget. */
export function runBudgetMs(command: BudgetedCommand, fetchTimeoutS: number = DEFAULT_FETCH_TIMEOUT_S): number {
  if (command === 'sriov') return (Number.isFinite(fetchTimeoutS) && fetchTimeoutS > 0 ? fetchTimeoutS : DEFAULT_FETCH_TIMEOUT_S) * 1000 + SRIOV_APPLY_BUDGET_MS;
  return RUN_BUDGET_MS[command];
}

/** The longest a run of `command` takes with its default options: its budget plus the wrap-up after it. */
export function worstCaseMs(command: BudgetedCommand): number {
  return runBudgetMs(command) + WRAP_UP_MS;
}
