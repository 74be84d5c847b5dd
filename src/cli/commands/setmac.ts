// `setmac <device>`: udev mode, one interface: resolve it, find its MAC on the cmdline, set and verify.
import { basename } from 'node:path/posix';
import type { HostReader } from '../../host/host.js';
import { UsageError } from '../../errors.js';
import type { NicEntry, Rejected } from '../../cmdline/nic-entries.js';
import type { Result } from '../../plan/action.js';
import { runPlan } from '../../plan/run-plan.js';
import { groupDevice, groupNetDir, netClass } from '../../qeth/paths.js';
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
  const device = await resolveDevice(ctx.host, argument);
  if (device.kind === 'not-qeth') {
    // A state, not a usage error: no kernel command line entry can name a non-qeth interface.
    ctx.log.warn(device.ifname, `not a qeth interface (${device.detail}); setmac only sets the MACs of qeth interfaces named on the kernel command line: nothing to do`);
    return finishEarly(ctx, { busId: null, ifname: device.ifname }, [], [], [], []);
  }
  if (device.kind === 'no-such-interface') {
    const error = `no such interface (${netClass(device.ifname)} does not exist); \`ip link\` lists the interfaces, \`guest-boot-agent show\` the qeth devices`;
    ctx.log.error(device.ifname, error);
    return finishEarly(ctx, { busId: null, ifname: device.ifname }, [], [], [], [{ target: device.ifname, ok: false, changed: false, error }]);
  }
  const { busId } = device;
  const { entries, rejected, warnings } = await readNicEntries(ctx, busId);
  const entry = entries.find((candidate) => candidate.busId === busId);
  const ifname = device.kind === 'resolved' ? device.ifname : null;
  if (!entry?.mac) {
    // Not a failure: the unit runs for every qeth interface, and most have no MAC on the cmdline.
    if (rejected.length === 0) ctx.log.info(ifname ?? busId, `no MAC for ${busId} on the kernel command line; nothing to do`);
    return finishEarly(ctx, { busId, ifname }, entries, rejected, warnings, []);
  }
  if (device.kind === 'no-interface') {
    // The MAC is wanted but there is nothing to set it on yet: the work failed, the input was fine.
    const error = `${device.detail}: the MAC ${entry.mac} from the kernel command line cannot be set yet; it is set when the interface appears (guest-boot-agent-setmac@<if>), or run \`guest-boot-agent qeth\`; \`guest-boot-agent show\` shows the device`;
    ctx.log.error(busId, error);
    return finishEarly(ctx, { busId, ifname: null }, entries, rejected, warnings, [{ target: busId, ok: false, changed: false, error }]);
  }
  const document = { command: 'setmac', dryRun: ctx.options.dryRun, device: { busId, ifname: device.ifname }, entries, rejected, warnings };
  const current = await ctx.host.sysfs.read(`${netClass(device.ifname)}/address`).catch(() => undefined);
  const actions = planSetmac(busId, device.ifname, entry.mac, current);
  const plan = [{ target: busId, actions }];
  const results = ctx.options.dryRun ? [] : await runPlan(ctx.host, plan, { log: ctx.log, concurrency: 1, deadline: ctx.deadline, signal: ctx.signal });
  if (actions.length === 0) ctx.log.info(device.ifname, `already has MAC ${entry.mac}; nothing to do`);
  else if (results[0]?.ok) ctx.log.info(device.ifname, `MAC set to ${entry.mac} and verified`);
  const code = exitCodeFor({ results, rejected });
  const finished = { ...document, actions, results, exitCode: code };
  if (!ctx.options.dryRun) await recordRun(ctx.host.files, ctx.log, `setmac@${device.ifname}`, { ...finished, finishedAt: new Date().toISOString() });
  if (ctx.options.json) ctx.out(renderJson(finished));
  else if (ctx.options.dryRun) ctx.out(renderPlanText(plan, []));
  return code;
}

/** A run that ends before planning: its --json document and exit code (1 when `results` hold a failure). */
function finishEarly(ctx: RunContext, device: { busId: BusId | null; ifname: string | null }, entries: NicEntry[], rejected: Rejected[], warnings: Rejected[], results: Result[]): ExitCode {
  const code = exitCodeFor({ results, rejected });
  if (ctx.options.json) ctx.out(renderJson({ command: 'setmac', dryRun: ctx.options.dryRun, device, entries, rejected, warnings, actions: [], results, exitCode: code }));
  return code;
}

/** What the argument names, as far as sysfs can tell; only a malformed argument is a usage error. */
type Device =
  | { kind: 'resolved'; busId: BusId; ifname: string }
  /** A qeth bus id without exactly one interface under its group: not grouped, not online, or ambiguous. */
  | { kind: 'no-interface'; busId: BusId; detail: string }
  | { kind: 'not-qeth'; ifname: string; detail: string }
  | { kind: 'no-such-interface'; ifname: string };

/** Both halves of the device: the argument gives one or both, sysfs the rest. */
async function resolveDevice(host: HostReader, argument: string): Promise<Device> {
  const target = parseSetmacTarget(argument);
  if (!target) throw new UsageError(`setmac: ${JSON.stringify(argument)} is not an interface name, a bus id (0.0.xxxx) or a /devices/…/net/<ifname> path`);
  switch (target.kind) {
    case 'devpath':
      return { kind: 'resolved', busId: target.busId, ifname: target.ifname };
    case 'other-devpath':
      return { kind: 'not-qeth', ifname: target.ifname, detail: `its device is ${target.device}, not a qeth group device 0.<css>.<devno>` };
    case 'bus-id': {
      if (!(await host.sysfs.exists(groupDevice(target.busId)))) return { kind: 'no-interface', busId: target.busId, detail: `${target.busId} is not a qeth group device (not grouped yet)` };
      const names = (await host.sysfs.list(groupNetDir(target.busId)).catch(() => [])).filter(isValidIfname);
      if (names.length === 1) return { kind: 'resolved', busId: target.busId, ifname: names[0]! };
      const detail = names.length === 0 ? `${target.busId} has no interface (the group is not online)` : `${target.busId} has several interfaces (${names.join(', ')}); pass the one meant`;
      return { kind: 'no-interface', busId: target.busId, detail };
    }
    case 'interface': {
      if (!(await host.sysfs.exists(netClass(target.ifname)))) return { kind: 'no-such-interface', ifname: target.ifname };
      const device = await host.sysfs.readlink(`${netClass(target.ifname)}/device`).catch(() => undefined);
      if (device === undefined) return { kind: 'not-qeth', ifname: target.ifname, detail: 'it has no device: a virtual interface' };
      const busId = parseBusId(basename(device));
      if (!busId) return { kind: 'not-qeth', ifname: target.ifname, detail: `its device is ${basename(device)}, not a qeth group device 0.<css>.<devno>` };
      return { kind: 'resolved', busId, ifname: target.ifname };
    }
  }
}
