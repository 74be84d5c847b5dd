// `show`: read-only debug view: the parsed cmdline, the observed qeth and SR-IOV state, the cached vendor data, the last runs.
import { InputUnavailableError } from '../../errors.js';
import type { HostReader } from '../../host/host.js';
import { observeQeth } from '../../qeth/observe.js';
import { netClass } from '../../qeth/paths.js';
import { observeSriov } from '../../sriov/observe.js';
import { STATE_DIR, readState } from '../../state.js';
import type { RunContext } from '../context.js';
import { ExitCode } from '../exit-code.js';
import { readNicEntries } from '../nic-entries.js';
import { renderJson } from '../render.js';
import { renderShowText } from '../render-show.js';

/** Where `sriov` caches the one successful fetch of the boot. */
const VENDOR_DATA_CACHE = `${STATE_DIR}/vendor_data2.json`;

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

/** The cached vendor data as it was fetched (JSON when it parses, else the raw text), or null. */
async function readCachedVendorData(host: HostReader): Promise<unknown> {
  const text = await host.files.read(VENDOR_DATA_CACHE).catch((error: unknown) => `unreadable: ${(error as Error).message}`);
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readAddress(host: HostReader, ifname: string): Promise<string | null> {
  return host.sysfs.read(`${netClass(ifname)}/address`).catch(() => null);
}
