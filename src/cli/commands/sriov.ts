// `sriov`: vendor data → validate → observe PFs → plan → (print | configure PFs, then bind their VFs) → record.
import { CONCURRENCY } from '../../concurrency.js';
import type { Result, TargetPlan } from '../../plan/action.js';
import { runPlan } from '../../plan/run-plan.js';
import type { GuidLayout } from '../../sriov/guid-layout.js';
import type { SriovIntent } from '../../sriov/intent.js';
import { observeSriov } from '../../sriov/observe.js';
import { planSriov } from '../../sriov/plan.js';
import { acquireVendorData } from '../../sriov/sources/choose.js';
import { recordRun } from '../../state.js';
import { UsageError } from '../../errors.js';
import type { RunContext } from '../context.js';
import { ExitCode, exitCodeFor } from '../exit-code.js';
import { flattenActions, renderJson, renderPlanText } from '../render.js';

const NOTHING = {
  absent: 'the vendor data has no mlnx_sriov key: nothing to do',
  empty: "mlnx_sriov is {}: SR-IOV was not requested for this instance, or Nova's vendor-data service failed (Nova serves {} then; see nova-api's log): nothing to do",
  disabled: 'mlnx_sriov.enable_sriov is false: nothing to do',
} as const;

export async function run(ctx: RunContext, _args: string[], options: Record<string, unknown>): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const timeout = Number(options.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout ${JSON.stringify(options.timeout)}: a positive number of seconds`);
  const acquired = await acquireVendorData(ctx.host, ctx.log, {
    ...(typeof options.metadataUrl === 'string' ? { metadataUrl: options.metadataUrl } : {}),
    ...(typeof options.vendorData === 'string' ? { vendorData: options.vendorData } : {}),
    configDrive: options.configDrive === true,
    budgetMs: timeout * 1000,
    layout: options.guidLayout as GuidLayout,
  });
  const base = { command: 'sriov', dryRun: ctx.options.dryRun, source: acquired.source, entries: [], rejected: [] };
  if (acquired.kind === 'not-served') {
    ctx.log.warn('vendor-data', `${acquired.source.where} serves no vendor_data2.json (Nova before Newton, or no dynamic vendor data configured): nothing to do`);
    return finish(ctx, { ...base, actions: [], results: [] }, ExitCode.ok, startedAt);
  }
  if (!acquired.parse.ok) {
    for (const error of acquired.parse.errors) ctx.log.error('vendor-data', `${acquired.source.where}: ${error}`);
    ctx.log.error('vendor-data', 'the document is not usable; nothing was changed');
    return finish(ctx, { ...base, errors: acquired.parse.errors, actions: [], results: [] }, ExitCode.unavailable, startedAt);
  }
  const verdict = acquired.parse.verdict;
  if (verdict.kind === 'nothing') {
    (verdict.reason === 'empty' ? ctx.log.warn : ctx.log.info)('vendor-data', NOTHING[verdict.reason]);
    return finish(ctx, { ...base, actions: [], results: [] }, ExitCode.ok, startedAt);
  }
  return configure(ctx, verdict.intent, base, startedAt);
}

async function configure(ctx: RunContext, intent: SriovIntent, base: object, startedAt: string): Promise<ExitCode> {
  // P_Keys are the fabric's business (UFM puts them at index 0): recorded for show, nothing to apply.
  if (intent.dynamicPkey !== null || intent.defaultLimitedPkeys.length > 0) {
    ctx.log.info('vendor-data', `P_Keys recorded only (the fabric puts them at index 0): dynamic ${intent.dynamicPkey ?? '-'}, limited ${intent.defaultLimitedPkeys.join(', ') || '-'}`);
  }
  const plan = planSriov(intent, await observeSriov(ctx.host));
  for (const failure of plan.failures) ctx.log.error(failure.target, `cannot be configured: ${failure.error}`);
  for (const address of plan.untouched) ctx.log.info(address, 'not named in the vendor data: left untouched');
  const binds = Object.values(plan.bind).flat();
  const plans: TargetPlan[] = [...plan.configure, ...binds];
  let results: Result[] = plan.failures;
  if (!ctx.options.dryRun) {
    const runOptions = { log: ctx.log, concurrency: CONCURRENCY };
    const configured = await runPlan(ctx.host, plan.configure, runOptions);
    // A PF whose VFs could not be set up gets no binds: they would probe with the wrong GUIDs.
    const ready = new Set(configured.filter((result) => result.ok).map((result) => result.target));
    const bound = await runPlan(ctx.host, Object.entries(plan.bind).filter(([pf]) => ready.has(pf)).flatMap(([, vfs]) => vfs), runOptions);
    results = [...plan.failures, ...configured, ...bound];
    for (const pf of configured.filter((result) => result.ok)) {
      const changed = pf.changed || bound.some((vf) => vf.changed && vf.target.startsWith(`${pf.target}/`));
      ctx.log.info(pf.target, changed ? 'VFs configured' : 'VFs already configured; nothing changed');
    }
  }
  const code = exitCodeFor({ results, rejected: [] });
  const document = { ...base, intent, untouched: plan.untouched, actions: flattenActions(plans), results };
  // VFs already bound as wanted have empty bind plans: the listing shows only what would happen.
  if (ctx.options.dryRun && !ctx.options.json) ctx.out(renderPlanText([...plan.configure, ...binds.filter((vf) => vf.actions.length > 0)], plan.failures));
  return finish(ctx, document, code, startedAt);
}

/** Prints the --json document and records the run (not for --dry-run). */
async function finish(ctx: RunContext, document: object, code: ExitCode, startedAt: string): Promise<ExitCode> {
  const done = { ...document, exitCode: code };
  if (!ctx.options.dryRun) await recordRun(ctx.host.files, ctx.log, 'sriov', { ...done, startedAt, finishedAt: new Date().toISOString() });
  if (ctx.options.json) ctx.out(renderJson(done));
  return code;
}
