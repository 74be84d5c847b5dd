// `setmac <device>`: udev mode, one interface: resolve it, find its MAC on the cmdline, set and verify.
import { basename } from 'node:path/posix';
import type { HostReader } from '../../host/host.js';
import { UsageError } from '../../errors.js';
import { runPlan } from '../../plan/run-plan.js';
import { groupNetDir, netClass } from '../../qeth/paths.js';
import { planSetmac } from '../../qeth/setmac-plan.js';
import { parseSetmacTarget } from '../../qeth/setmac-target.js';
import { recordRun } from '../../state.js';
import type { BusId } from '../../values/bus-id.js';
import { parseBusId } from '../../values/bus-id.js';
import { isValidIfname } from '../../values/ifname.js';
import type { RunContext } from '../context.js';
import { exitCodeFor } from '../exit-code.js';
import type { ExitCode } from '../exit-code.js';
import { readNicEntries } from '../nic-entries.js';
import { renderJson, renderPlanText } from '../render.js';

export async function run(ctx: RunContext, [argument = '']: string[]): Promise<ExitCode> {
  const { busId, ifname } = await resolveDevice(ctx.host, argument);
  const { entries, rejected, warnings } = await readNicEntries(ctx, busId);
  const entry = entries.find((candidate) => candidate.busId === busId);
  const document = { command: 'setmac', dryRun: ctx.options.dryRun, device: { busId, ifname }, entries, rejected, warnings };
  if (!entry?.mac) {
    // Not a failure: the unit runs for every qeth interface, and most have no MAC on the cmdline.
    if (rejected.length === 0) ctx.log.info(ifname, `no MAC for ${busId} on the kernel command line; nothing to do`);
    const code = exitCodeFor({ results: [], rejected });
    if (ctx.options.json) ctx.out(renderJson({ ...document, actions: [], results: [], exitCode: code }));
    return code;
  }
  const current = await ctx.host.sysfs.read(`${netClass(ifname)}/address`).catch(() => undefined);
  const actions = planSetmac(busId, ifname, entry.mac, current);
  const plan = [{ target: busId, actions }];
  const results = ctx.options.dryRun ? [] : await runPlan(ctx.host, plan, { log: ctx.log, concurrency: 1, deadline: ctx.deadline, signal: ctx.signal });
  if (actions.length === 0) ctx.log.info(ifname, `already has MAC ${entry.mac}; nothing to do`);
  else if (results[0]?.ok) ctx.log.info(ifname, `MAC set to ${entry.mac} and verified`);
  const code = exitCodeFor({ results, rejected });
  const finished = { ...document, actions, results, exitCode: code };
  if (!ctx.options.dryRun) await recordRun(ctx.host.files, ctx.log, `setmac@${ifname}`, { ...finished, finishedAt: new Date().toISOString() });
  if (ctx.options.json) ctx.out(renderJson(finished));
  else if (ctx.options.dryRun) ctx.out(renderPlanText(plan, []));
  return code;
}

/** Both halves of the device: the argument gives one or both, sysfs the rest. */
async function resolveDevice(host: HostReader, argument: string): Promise<{ busId: BusId; ifname: string }> {
  const target = parseSetmacTarget(argument);
  if (!target) throw new UsageError(`setmac: ${JSON.stringify(argument)} is not an interface name, a bus id (0.0.xxxx) or a /devices/…/net/<ifname> path`);
  switch (target.kind) {
    case 'devpath':
      return { busId: target.busId, ifname: target.ifname };
    case 'bus-id': {
      const names = (await host.sysfs.list(groupNetDir(target.busId)).catch(() => [])).filter(isValidIfname);
      if (names.length !== 1) throw new UsageError(`setmac: ${target.busId} has ${names.length === 0 ? 'no interface (is it grouped and online?)' : `several interfaces: ${names.join(', ')}`}`);
      return { busId: target.busId, ifname: names[0]! };
    }
    case 'interface': {
      const device = await host.sysfs.readlink(`${netClass(target.ifname)}/device`).catch(() => '');
      const busId = parseBusId(basename(device));
      if (!busId) throw new UsageError(`setmac: ${target.ifname} is not a qeth interface (no ccwgroup parent device); pass its bus id or devpath`);
      return { busId, ifname: target.ifname };
    }
  }
}
