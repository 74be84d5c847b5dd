// Reads and parses the NIC entries of the command line, logging each rejection once.
import type { NicEntries, Rejected } from '../cmdline/nic-entries.js';
import type { BusId } from '../values/bus-id.js';
import { parseNicEntries } from '../cmdline/nic-entries.js';
import type { RunContext } from './context.js';

/**
 * The parsed entries; every rejected entry and warning gets one log line naming it.
 * With `only`, rejections and warnings of other devices are left out (setmac runs once per interface).
 */
export async function readNicEntries(ctx: RunContext, only?: BusId): Promise<NicEntries> {
  const parsed = parseNicEntries(await ctx.readCmdline());
  const mine = (item: Rejected) => only === undefined || item.token.toLowerCase().startsWith(`${only.slice(4)},`);
  const result = { ...parsed, rejected: parsed.rejected.filter(mine), warnings: parsed.warnings.filter(mine) };
  for (const warning of result.warnings) ctx.log.warn('cmdline', `${JSON.stringify(warning.token)}: ${warning.reason}`);
  for (const rejected of result.rejected) ctx.log.error('cmdline', `rejected ${JSON.stringify(rejected.token)}: ${rejected.reason}`);
  return result;
}
