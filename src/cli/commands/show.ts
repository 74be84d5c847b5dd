// `show`: read-only debug view: the parsed cmdline, the observed qeth and SR-IOV state, the cached vendor data, the last runs.
import { InputUnavailableError } from '../../errors.js';
import type { HostReader } from '../../host/host.js';
import { observeQeth } from '../../qeth/observe.js';
import { netClass } from '../../qeth/paths.js';
import { observeSriov } from '../../sriov/observe.js';
import { VENDOR_DATA_CACHE, reduce } from '../../sriov/sources/cache.js';
import { readState } from '../../state.js';
import type { RunContext } from '../context.js';
import { ExitCode } from '../exit-code.js';
import { readNicEntries } from '../nic-entries.js';
import { renderJson } from '../render.js';
import type { CachedVendorData } from '../render-show.js';
import { renderShowText } from '../render-show.js';

export async function run(ctx: RunContext): Promise<ExitCode> {
  // An unreadable cmdline still leaves the device state worth showing; it only sets the exit code.
  let cmdlineError: string | undefined;
  const parsed = await readNicEntries(ctx).catch((error: unknown) => {
    if (!(error instanceof InputUnavailableError)) throw error;
    cmdlineError = error.message;
    ctx.log.error('cmdline', error.message);
    return { entries: [], rejected: [], warnings: [] };
  });
  const qeth = await observeQeth(ctx.host, parsed.entries.map((entry) => entry.busId));
  const interfaces = Object.values(qeth.groups).flatMap((group) => group.netdevs);
  const addresses = Object.fromEntries(await Promise.all(interfaces.map(async (name) => [name, await readAddress(ctx.host, name)] as const)));
  const runs: Record<string, unknown> = { qeth: await readState(ctx.host.files, 'qeth'), sriov: await readState(ctx.host.files, 'sriov') };
  for (const name of interfaces) runs[`setmac@${name}`] = await readState(ctx.host.files, `setmac@${name}`);
  const sriov = await observeSriov(ctx.host);
  const vendorData = await readCachedVendorData(ctx.host);
  const code = cmdlineError ? ExitCode.unavailable : ExitCode.ok;
  const view = { command: 'show', dryRun: true, cmdlineError: cmdlineError ?? null, ...parsed, actions: [], results: [], qeth, addresses, sriov, vendorData, runs, exitCode: code };
  ctx.out(ctx.options.json ? renderJson(view) : renderShowText(view));
  return code;
}

/** The cached `mlnx_sriov` only, or null. Other keys (a cache written by an older agent held the whole document,
 * other vendors' secrets included) are named, never shown; a cache that does not parse is described, not printed. */
async function readCachedVendorData(host: HostReader): Promise<CachedVendorData | null> {
  let text: string | undefined;
  try {
    text = await host.files.read(VENDOR_DATA_CACHE);
  } catch (error) {
    return { path: VENDOR_DATA_CACHE, problem: `unreadable: ${(error as Error).message}`, otherKeys: [] };
  }
  if (text === undefined) return null;
  const content = reduce(text);
  return {
    path: VENDOR_DATA_CACHE,
    ...(content.mlnxSriov !== undefined ? { mlnx_sriov: content.mlnxSriov } : {}),
    ...(content.kind === 'unusable' ? { problem: content.reason } : {}),
    otherKeys: content.otherKeys,
  };
}

async function readAddress(host: HostReader, ifname: string): Promise<string | null> {
  return host.sysfs.read(`${netClass(ifname)}/address`).catch(() => null);
}
