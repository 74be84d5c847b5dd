// Pure text rendering of `show` for an operator at a console.
import type { NicEntry, Rejected } from '../cmdline/nic-entries.js';
import type { QethSnapshot } from '../qeth/snapshot.js';
import type { SriovSnapshot } from '../sriov/snapshot.js';
import { isIgnored } from '../qeth/cio-ignore.js';
import { QETH_CUTYPES } from '../qeth/snapshot.js';
import type { BusId } from '../values/bus-id.js';
import { busIdPlus } from '../values/bus-id.js';

export interface ShowView {
  cmdlineError: string | null;
  entries: NicEntry[];
  rejected: Rejected[];
  warnings: Rejected[];
  qeth: QethSnapshot;
  addresses: Record<string, string | null>;
  sriov: SriovSnapshot;
  vendorData: CachedVendorData | null;
  runs: Record<string, unknown>;
}

/** The vendor-data cache as show reports it: `mlnx_sriov` only; other keys by name (an older agent cached them). */
export interface CachedVendorData {
  path: string;
  mlnx_sriov?: unknown;
  /** Why the cache would not be used (not JSON, no mlnx_sriov, `{}`, invalid). */
  problem?: string;
  otherKeys: string[];
}

/** The show report as plain text. */
export function renderShowText(view: ShowView): string {
  const lines = ['Kernel command line:'];
  if (view.cmdlineError) lines.push(`  unreadable: ${view.cmdlineError}`);
  else if (view.entries.length === 0) lines.push('  no qeth NIC entries');
  for (const e of view.entries) lines.push(`  ${e.busId}  port ${e.port}  mac ${e.mac ?? '-'}`);
  for (const r of view.rejected) lines.push(`  rejected ${JSON.stringify(r.token)}: ${r.reason}`);
  for (const w of view.warnings) lines.push(`  warning ${JSON.stringify(w.token)}: ${w.reason}`);
  lines.push('', `qeth driver: ${view.qeth.driverLoaded ? 'loaded' : 'not loaded'}`, `cio_ignore: ${view.qeth.cioIgnore.length} range(s) hidden`);
  for (const entry of view.entries) lines.push(...deviceLines(view, entry));
  lines.push('', 'InfiniBand PFs:');
  if (view.sriov.pfs.length === 0) lines.push('  none (no Mellanox InfiniBand PF on this machine)');
  for (const pf of view.sriov.pfs) lines.push(...pfLines(pf));
  lines.push('', ...vendorDataLines(view.vendorData));
  lines.push('', 'Last runs:');
  for (const [name, record] of Object.entries(view.runs)) lines.push(`  ${name}: ${summariseRun(record)}`);
  return `${lines.join('\n')}\n`;
}

function vendorDataLines(cache: CachedVendorData | null): string[] {
  if (cache === null) return ['Cached vendor data: none'];
  const lines = [`Cached vendor data (${cache.path}):`];
  if (cache.mlnx_sriov !== undefined) lines.push(`  mlnx_sriov: ${JSON.stringify(cache.mlnx_sriov)}`);
  if (cache.problem !== undefined) lines.push(`  not used: ${cache.problem}`);
  if (cache.otherKeys.length > 0) lines.push(`  other keys, not shown: ${cache.otherKeys.map((key) => JSON.stringify(key)).join(', ')}`);
  return lines;
}

function deviceLines(view: ShowView, entry: NicEntry): string[] {
  const group = view.qeth.groups[entry.busId];
  if (group) {
    const netdevs = group.netdevs.map((name) => `${name} (${view.addresses[name] ?? 'no address'})`).join(', ') || 'no interface yet';
    return [`${entry.busId}: grouped, ${group.online ? 'online' : 'offline'}, portno ${group.portno ?? '?'}, layer2 ${group.layer2 ?? '?'}, ${netdevs}`];
  }
  const members = [0, 1, 2].map((offset) => busIdPlus(entry.busId, offset) ?? '').map((id) => {
    const ccw = view.qeth.ccw[id];
    // The operator's next step differs: a hidden device is freed by `qeth`; one that is neither is not defined here.
    if (!ccw) return isIgnored(view.qeth.cioIgnore, id as BusId) ? `${id} hidden by cio_ignore` : `${id} does not exist (not defined for this partition, not hidden)`;
    return `${id} ${ccw.cutype} (${QETH_CUTYPES[ccw.cutype] ?? 'not qeth'}) chpid ${ccw.chpid ?? '?'}${ccw.groupDevice ? ` in group ${ccw.groupDevice}` : ''}`;
  });
  return [`${entry.busId}: not grouped; ${members.join('; ')}`];
}

function pfLines(pf: SriovSnapshot['pfs'][number]): string[] {
  const sriov = pf.sriov ? `${pf.sriov.numVfs}/${pf.sriov.totalVfs} VFs, autoprobe ${pf.sriov.autoprobe}` : 'SR-IOV off in firmware';
  const head = `  ${pf.address} (${pf.netdevs.join(', ')}) port GUID ${pf.portGuid}, ${sriov}, GUIDs via ${pf.ofed ? 'MLNX_OFED sysfs' : 'netlink'}`;
  const vfs = pf.vfs.map((vf) => {
    const admin = vf.ofed ? `, admin node ${vf.ofed.node ?? '?'} port ${vf.ofed.port ?? '?'} policy ${vf.ofed.policy ?? '?'}` : '';
    return `    vf${vf.index} ${vf.address ?? '(no link yet)'} driver ${vf.driver ?? 'none'}, sees node ${vf.seenNodeGuid ?? '?'} port ${vf.seenPortGuid ?? '?'}${admin}`;
  });
  return [head, ...vfs];
}

function summariseRun(record: unknown): string {
  if (record === undefined) return 'never ran (this boot)';
  const run = record as { finishedAt?: string; exitCode?: number; results?: { target: string; ok: boolean; error?: string }[] };
  const failed = (run.results ?? []).filter((result) => !result.ok);
  const failures = failed.map((result) => `${result.target}: ${result.error ?? 'failed'}`).join('; ');
  return `exit ${run.exitCode ?? '?'} at ${run.finishedAt ?? '?'}${failures ? `; failed: ${failures}` : ''}`;
}
