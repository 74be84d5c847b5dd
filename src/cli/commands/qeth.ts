// `qeth`: read the cmdline → observe → plan → (print | run, re-observe, run) → record.
import { CONCURRENCY } from '../../concurrency.js';
import type { Result, TargetPlan } from '../../plan/action.js';
import { runPlan } from '../../plan/run-plan.js';
import { observeQeth } from '../../qeth/observe.js';
import { planQeth, planRehide } from '../../qeth/plan.js';
import { recordRun } from '../../state.js';
import type { RunContext } from '../context.js';
import { exitCodeFor } from '../exit-code.js';
import type { ExitCode } from '../exit-code.js';
import { readNicEntries } from '../nic-entries.js';
import { flattenActions, renderJson, renderPlanText } from '../render.js';

export async function run(ctx: RunContext, _args: string[], options: Record<string, unknown>): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const { entries, rejected, warnings } = await readNicEntries(ctx);
  if (entries.length === 0) ctx.log.info('qeth', 'no qeth NIC entries on the kernel command line; nothing to do');
  const planOptions = { force: options.force === true, afterPrepare: false };
  const ids = entries.map((entry) => entry.busId);
  const runOptions = { log: ctx.log, concurrency: CONCURRENCY, deadline: ctx.deadline, signal: ctx.signal };
  const first = planQeth(entries, await observeQeth(ctx.host, ids), planOptions);
  let final = first;
  let prepared: Result[] = [];
  if (!ctx.options.dryRun && first.prepare.length > 0) {
    prepared = await runPlan(ctx.host, first.prepare, runOptions);
    // The driver and the freed devices are visible now: plan the devices on what is really there.
    final = planQeth(entries, await observeQeth(ctx.host, ids), { ...planOptions, afterPrepare: true });
  }
  for (const failure of final.failures) ctx.log.error(failure.target, `cannot be configured: ${failure.error}`);
  const applied = ctx.options.dryRun ? [] : await runPlan(ctx.host, final.devices, runOptions);
  for (const result of applied) if (result.ok) ctx.log.info(result.target, result.changed ? 'configured' : 'already configured; nothing changed');
  // What this run freed from cio_ignore but no group took goes back on the list (DESIGN §4 step 3).
  const rehide = ctx.options.dryRun || first.freed.length === 0 ? [] : planRehide(first.freed, await observeQeth(ctx.host, ids));
  const rehidden = await runPlan(ctx.host, rehide, runOptions);
  const plans: TargetPlan[] = [...first.prepare, ...final.devices, ...rehide];
  const results = [...prepared, ...final.failures, ...applied, ...rehidden];
  const code = exitCodeFor({ results, rejected });
  if (ctx.signal.aborted) ctx.log.error('qeth', `${(ctx.signal.reason as Error).message}: devices not yet done are left as they were; run recorded, exit 1`);
  const document = { command: 'qeth', dryRun: ctx.options.dryRun, entries, rejected, warnings, actions: flattenActions(plans), results, exitCode: code };
  if (!ctx.options.dryRun) await recordRun(ctx.host.files, ctx.log, 'qeth', { ...document, startedAt, finishedAt: new Date().toISOString() });
  if (ctx.options.json) ctx.out(renderJson(document));
  else if (ctx.options.dryRun) ctx.out(renderPlanText(plans, final.failures));
  return code;
}
