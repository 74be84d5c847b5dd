// Pure rendering of plans, results and rejections: text for people, one JSON document for tools.
import type { Action, Result, TargetPlan } from '../plan/action.js';
import { describeAction } from '../plan/action.js';

/** The dry-run listing: every target's actions in execution order, each with its reason. */
export function renderPlanText(plans: readonly TargetPlan[], failures: readonly Result[]): string {
  const lines: string[] = [];
  for (const plan of plans) {
    lines.push(`${plan.target}:`);
    if (plan.actions.length === 0) lines.push('  nothing to do (already configured)');
    plan.actions.forEach((action, index) => lines.push(`  ${index + 1}. ${describeAction(action)}`, `     # ${action.why}`));
  }
  for (const failure of failures) lines.push(`${failure.target}:`, `  cannot be configured: ${failure.error ?? 'failed'}`);
  if (lines.length === 0) lines.push('nothing to do');
  return `${lines.join('\n')}\n`;
}

/** The flat action list of DESIGN §2's --json `actions`, in execution order. */
export function flattenActions(plans: readonly TargetPlan[]): Action[] {
  return plans.flatMap((plan) => plan.actions);
}

/** Serialises the --json document (one per run, on stdout). */
export function renderJson(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The --json document of a run that ended before its command wrote one (README "--json output"): a usage error
 * (exit 2), an unavailable input (exit 3), or a bug. `command` is null when none was named.
 */
export function failureDocument(outcome: { command: string | null; dryRun: boolean; exitCode: number; error: string | null }): object {
  return { command: outcome.command, dryRun: outcome.dryRun, exitCode: outcome.exitCode, error: outcome.error };
}
