// `sriov`: undo what a killed run held → vendor data → validate → observe PFs → per PF: plan, configure, observe the
// VFs, plan and run their binds (or print both phases) → record.
import { CONCURRENCY } from '../../concurrency.js';
import type { Result, TargetPlan } from '../../plan/action.js';
import { combineResults } from '../../plan/action.js';
import type { Restores } from '../../plan/intent-record.js';
import type { RunOptions } from '../../plan/run-plan.js';
import { runPlan } from '../../plan/run-plan.js';
import { pollUntil } from '../../plan/wait.js';
import type { GuidLayout } from '../../sriov/guid-layout.js';
import type { PfIntent, SriovIntent } from '../../sriov/intent.js';
import { observePf, observeSriov } from '../../sriov/observe.js';
import type { PfPipeline } from '../../sriov/plan.js';
import { missingPfFailure, planBinds, planSriov } from '../../sriov/plan.js';
import { readHeld, restoreLeftSettings } from '../../sriov/recover.js';
import type { PfState } from '../../sriov/snapshot.js';
import type { EmptyRefetched, VendorDataSource } from '../../sriov/sources/choose.js';
import { acquireVendorData } from '../../sriov/sources/choose.js';
import { underSystemd } from '../../sriov/sources/ip-address-allow.js';
import { recordRun } from '../../state.js';
import { InterruptedError, UsageError } from '../../errors.js';
import { PF_WAIT_MS, SRIOV_APPLY_BUDGET_MS } from '../../run-budget.js';
import type { RunContext } from '../context.js';
import { ExitCode, exitCodeFor } from '../exit-code.js';
import { flattenActions, renderJson, renderPlanText } from '../render.js';

const NOTHING = {
  absent: 'the vendor data has no mlnx_sriov key: nothing to do',
  disabled: 'mlnx_sriov.enable_sriov is false: nothing to do',
} as const;

/** `mlnx_sriov: {}` has two causes that look the same (DESIGN §6): name both, and what was done about it. */
function emptyWarning(acquired: { source: VendorDataSource; empty?: EmptyRefetched }): string {
  const asked =
    acquired.empty !== undefined
      ? ` (still {} after ${acquired.empty.fetches} fetches over ${Math.round(acquired.empty.ms / 100) / 10} s)`
      : acquired.source.kind === 'config-drive'
        ? ' (a config drive is written once, when the instance is built)'
        : '';
  return `mlnx_sriov is {}${asked}: either SR-IOV is disabled for this instance (the vendor-data service answers {} then), or Nova's call to the vendor-data service failed (Nova serves {} then; see nova-api's log): nothing to do`;
}

export async function run(ctx: RunContext, _args: string[], options: Record<string, unknown>): Promise<ExitCode> {
  const startedAt = new Date().toISOString();
  const timeout = Number(options.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout ${JSON.stringify(options.timeout)}: a positive number of seconds`);
  const pfWait = Number(options.pfWait ?? PF_WAIT_MS / 1000);
  if (!Number.isFinite(pfWait) || pfWait < 0) throw new UsageError(`--pf-wait ${JSON.stringify(options.pfWait)}: a number of seconds, 0 or more`);
  // What a killed run held comes back first, whatever this run's document says: its autoprobe=0 must not stay, nor
  // be read as the operator's setting. A dry run only reads the record (its plan shows the restores).
  const held = ctx.options.dryRun ? await readHeld(ctx.host, ctx.log) : await restoreLeftSettings(ctx.host, ctx.log);
  const acquiring = acquireVendorData(ctx.host, ctx.log, {
    ...(typeof options.metadataUrl === 'string' ? { metadataUrl: options.metadataUrl } : {}),
    ...(typeof options.vendorData === 'string' ? { vendorData: options.vendorData } : {}),
    configDrive: options.configDrive === true,
    // The fetch budget is --timeout, out of the run's deadline: the rest of it is for the VFs.
    budgetMs: Math.max(0, Math.min(timeout * 1000, ctx.deadline.remainingMs() - SRIOV_APPLY_BUDGET_MS)),
    dryRun: ctx.options.dryRun,
    underSystemd: underSystemd(ctx.env),
    layout: options.guidLayout as GuidLayout,
  });
  const acquired = await untilInterrupted(acquiring, ctx.signal);
  if (acquired instanceof InterruptedError) {
    ctx.log.error('sriov', `${acquired.message} while getting the vendor data: nothing was changed; run recorded, exit 1`);
    return finish(ctx, { command: 'sriov', dryRun: ctx.options.dryRun, interrupted: acquired.signalName, actions: [], results: [] }, ExitCode.failed, startedAt);
  }
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
    if (verdict.reason === 'empty') ctx.log.warn('vendor-data', emptyWarning(acquired));
    else ctx.log.info('vendor-data', NOTHING[verdict.reason]);
    return finish(ctx, { ...base, actions: [], results: [] }, ExitCode.ok, startedAt);
  }
  return configure(ctx, verdict.intent, base, startedAt, pfWait * 1000, held);
}

async function configure(ctx: RunContext, intent: SriovIntent, base: object, startedAt: string, pfWaitMs: number, held: Restores): Promise<ExitCode> {
  // P_Keys are the fabric's business (UFM puts them at index 0): recorded for show, nothing to apply.
  if (intent.dynamicPkey !== null || intent.defaultLimitedPkeys.length > 0) {
    ctx.log.info('vendor-data', `P_Keys recorded only (the fabric puts them at index 0): dynamic ${intent.dynamicPkey ?? '-'}, limited ${intent.defaultLimitedPkeys.join(', ') || '-'}`);
  }
  const snapshot = await observeSriov(ctx.host);
  const plan = planSriov(intent, snapshot, held);
  for (const address of plan.untouched) ctx.log.info(address, 'not named in the vendor data: left untouched');
  const runOptions: RunOptions = { log: ctx.log, concurrency: VF_CONCURRENCY, deadline: ctx.deadline, signal: ctx.signal };
  // Each PF on its own: a slow PF (VFs arriving late, a PF still probing) never delays another PF's binds.
  const outcomes = await Promise.all([
    ...plan.failures.map(async (failure): Promise<PfOutcome> => ({ plans: [], results: [failure] })),
    ...plan.pipelines.map((pipeline) => runPipeline(ctx, pipeline, snapshot.pfs.find((pf) => pf.address === pipeline.pf)!, runOptions)),
    ...plan.missing.map((wanted) => lateAndThen(ctx, wanted, held, snapshot.pfs, runOptions, pfWaitMs)),
  ]);
  const plans = outcomes.flatMap((outcome) => outcome.plans);
  const results = outcomes.flatMap((outcome) => outcome.results);
  for (const failure of results.filter((result) => !result.ok && !result.changed && !plans.some((p) => p.target === result.target))) {
    ctx.log.error(failure.target, `cannot be configured: ${failure.error}`);
  }
  const code = exitCodeFor({ results, rejected: [] });
  if (ctx.signal.aborted) {
    const stopped = results.filter((result) => !result.ok && result.error?.startsWith('interrupted')).length;
    ctx.log.error('sriov', `${messageOfReason(ctx.signal)}: ${stopped} target(s) stopped, their temporary settings (autoprobe, driver_override) undone; run recorded, exit 1`);
  }
  const document = { ...base, ...(ctx.signal.aborted ? { interrupted: (ctx.signal.reason as InterruptedError).signalName } : {}), intent, untouched: plan.untouched, actions: flattenActions(plans), results: ctx.options.dryRun ? results.filter((r) => !r.ok) : results };
  // VFs already bound as wanted have empty bind plans: the listing shows only what would happen.
  if (ctx.options.dryRun && !ctx.options.json) ctx.out(renderPlanText(plans.filter((p) => p.actions.length > 0 || !p.target.includes('/vf')), results.filter((r) => !r.ok)));
  return finish(ctx, document, code, startedAt);
}

/** VFs bound at once per PF (binds are independent writes; the kernel serialises per device); the thread pool is
 * sized from the same number (src/concurrency.ts). */
const VF_CONCURRENCY = CONCURRENCY;

interface PfOutcome {
  plans: TargetPlan[];
  results: Result[];
}

/** Phase 1 (the PF, then its VFs' GUIDs concurrently, then autoprobe back), the VFs observed again, phase 2 planned
 * on them and run. A dry run shows both phases as planned. */
async function runPipeline(ctx: RunContext, pipeline: PfPipeline, pf: PfState, options: RunOptions): Promise<PfOutcome> {
  const phase1 = [pipeline.configure, ...pipeline.guids, ...(pipeline.release.actions.length > 0 ? [pipeline.release] : [])];
  if (ctx.options.dryRun) return { plans: [...phase1, ...pipeline.bind], results: pipeline.bindFailures };
  const [configured] = await runPlan(ctx.host, [pipeline.configure], options);
  if (!configured!.ok) return { plans: [pipeline.configure], results: [configured!] };
  const guids = await runPlan(ctx.host, pipeline.guids, options);
  // Also after a VF failed: autoprobe must not stay off (the release's undo is the same restore, for a signal).
  const [released] = await runPlan(ctx.host, [pipeline.release], options);
  const [pfResult] = combineResults([configured!, released!]);
  // Autoprobe still off: a plain bind would fail with ENODEV on every VF.
  if (!released!.ok) return { plans: phase1, results: [pfResult!, ...guids] };
  // A VF whose GUIDs are not in firmware is not bound: it would probe with the wrong ones (the others still are).
  const unset = new Set(guids.filter((result) => !result.ok).map((result) => result.target));
  // The VFs exist now: their PCI addresses, drivers and physfn links are facts to plan on, not run-time guesses.
  const planned = planBinds(await observePf(ctx.host, pf), pipeline);
  const binds = planned.binds.filter((plan) => !unset.has(plan.target));
  const failures = planned.failures.filter((failure) => !unset.has(failure.target));
  const bound = await runPlan(ctx.host, binds, options);
  const vfs = combineResults([...guids, ...failures, ...bound]);
  if (vfs.every((vf) => vf.ok)) {
    const changed = pfResult!.changed || vfs.some((vf) => vf.changed);
    ctx.log.info(pipeline.pf, changed ? 'VFs configured' : 'VFs already configured; nothing changed');
  }
  return { plans: [...phase1, ...binds], results: [pfResult!, ...vfs] };
}

/** A named PF not there yet (mlx5 still probing, zPCI hotplug): wait for it, bounded, then configure it or fail naming it. */
async function lateAndThen(ctx: RunContext, wanted: PfIntent, held: Restores, present: readonly PfState[], options: RunOptions, pfWaitMs: number): Promise<PfOutcome> {
  if (ctx.options.dryRun) return { plans: [], results: [missingPfFailure(wanted, present, 0)] };
  const boundMs = ctx.deadline.bound(pfWaitMs);
  ctx.log.info(wanted.physicalGuid, `no PF with this port GUID yet; waiting up to ${Number((boundMs / 1000).toFixed(1))} s for it to appear (mlx5 probe, zPCI hotplug)`);
  let last: readonly PfState[] = present;
  const pf = await pollUntil(ctx.host.clock, `PF ${wanted.physicalGuid}`, boundMs, async () => {
    last = (await observeSriov(ctx.host)).pfs;
    return last.find((candidate) => candidate.portGuid === wanted.physicalGuid);
  }, ctx.signal).catch((error: unknown) => (error instanceof InterruptedError ? error : undefined));
  if (pf instanceof InterruptedError) return { plans: [], results: [{ target: wanted.physicalGuid, ok: false, changed: false, error: `${pf.message} while waiting for the PF` }] };
  if (!pf) return { plans: [], results: [missingPfFailure(wanted, last, boundMs)] };
  ctx.log.info(pf.address, `PF with port GUID ${wanted.physicalGuid} appeared`);
  const late = planSriov({ pfs: [wanted], dynamicPkey: null, defaultLimitedPkeys: [] }, { pfs: [pf] }, held);
  if (late.pipelines.length === 0) return { plans: [], results: late.failures };
  return runPipeline(ctx, late.pipelines[0]!, pf, options);
}

/** Prints the --json document and records the run (not for --dry-run). */
async function finish(ctx: RunContext, document: object, code: ExitCode, startedAt: string): Promise<ExitCode> {
  const done = { ...document, exitCode: code };
  if (!ctx.options.dryRun) await recordRun(ctx.host.files, ctx.log, 'sriov', { ...done, startedAt, finishedAt: new Date().toISOString() });
  if (ctx.options.json) ctx.out(renderJson(done));
  return code;
}

/** `work`, or the InterruptedError as soon as `signal` aborts (the fetch is abandoned: the process exits). */
async function untilInterrupted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | InterruptedError> {
  if (signal.aborted) return signal.reason as InterruptedError;
  return Promise.race([work, new Promise<InterruptedError>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason as InterruptedError), { once: true }))]);
}

function messageOfReason(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : 'interrupted';
}
