// Finds the `<devno>,<port>[,<mac>];` NIC entries nova-dpm writes on the kernel command line (DESIGN §3).
import * as z from 'zod/mini';
import type { BusId } from '../values/bus-id.js';
import { busIdFromDevno } from '../values/bus-id.js';
import type { Mac } from '../values/mac.js';
import { macRuleViolation, parseMac } from '../values/mac.js';
import { tokenizeCmdline } from './tokenize.js';

export interface NicEntry {
  /** 4 lower-case hex digits. */
  devno: string;
  busId: BusId;
  port: 0 | 1;
  /** null when none was given, or when the one given broke the MAC rule (then also in `rejected`). */
  mac: Mac | null;
}

/** An entry (or input) not used as written, with the reason. `token` is the entry text as on the cmdline. */
export interface Rejected {
  token: string;
  reason: string;
}

export interface NicEntries {
  entries: NicEntry[];
  rejected: Rejected[];
  warnings: Rejected[];
}

/** Producer limit is 12 NICs in 256 characters; this only bounds the work. */
export const MAX_ENTRIES = 256;
/** Far above any kernel's COMMAND_LINE_SIZE; past it the input is refused whole rather than scanned. */
export const MAX_CMDLINE_BYTES = 64 * 1024;
/** devno, devno+1 and devno+2 must all exist. */
const MAX_DEVNO = 0xfffd;

/** A NIC list starts with 4 hex digits and a comma. */
const NIC_LIST_START = /^[0-9a-fA-F]{4},/;
/** One whole entry `<devno>,<port>[,<mac>]` as the producer writes it, for a token without any ';'. */
const WHOLE_ENTRY = /^[0-9a-fA-F]{4},[01](,[0-9a-fA-F]{12})?$/;

const entrySchema = z.tuple([
  z.string().check(z.regex(/^[0-9a-fA-F]{4}$/, 'devno must be 4 hex digits')),
  z.enum(['0', '1'], { error: (issue) => `port must be 0 or 1, got ${JSON.stringify(issue.input)}` }),
  z.optional(z.string()),
]);

/** Every NIC entry on the command line; each bad one rejected on its own with a reason. Never throws. */
export function parseNicEntries(cmdline: string): NicEntries {
  const result: NicEntries = { entries: [], rejected: [], warnings: [] };
  if (cmdline.length > MAX_CMDLINE_BYTES) {
    result.rejected.push({ token: `${cmdline.slice(0, 40)}…`, reason: `command line longer than ${MAX_CMDLINE_BYTES} characters; not parsed` });
    return result;
  }
  const candidates: { text: string; entry: NicEntry }[] = [];
  for (const token of tokenizeCmdline(cmdline)) {
    const list = nicList(token);
    if (list === undefined) continue;
    const parts = list.split(';');
    if (parts.at(-1) !== '') result.warnings.push({ token: parts.at(-1)!, reason: 'missing the final ";" that nova-dpm writes; accepted' });
    for (const part of parts.filter((p) => p !== '')) {
      const parsed = parseEntry(part);
      if ('reason' in parsed) result.rejected.push({ token: part, reason: parsed.reason });
      else candidates.push({ text: part, entry: parsed.entry });
    }
  }
  return settle(candidates, result);
}

/**
 * The token when it is a NIC list, else undefined (DESIGN §3). nova-dpm writes each NIC as its own standalone
 * token, so a `key=value` parameter is never one: `cio_ignore=fd00,fd01,!condev` is valid kernel syntax whose
 * value merely looks like a list. A standalone token without any ';' counts only when it is one whole,
 * well-formed entry; anything else (a parameter of some other program) is not ours to reject.
 */
function nicList(token: string): string | undefined {
  if (token.includes('=') || !NIC_LIST_START.test(token)) return undefined;
  return token.includes(';') || WHOLE_ENTRY.test(token) ? token : undefined;
}

function parseEntry(text: string): { entry: NicEntry } | { reason: string } {
  const fields = text.split(',');
  if (fields.length < 2 || fields.length > 3) return { reason: `expected <devno>,<port>[,<mac>], got ${fields.length} field${fields.length === 1 ? '' : 's'}` };
  const checked = entrySchema.safeParse([fields[0], fields[1], fields[2]]);
  if (!checked.success) return { reason: checked.error.issues[0]!.message };
  const [devnoText, portText, macText] = checked.data;
  const devno = devnoText.toLowerCase();
  const number = Number.parseInt(devno, 16);
  if (number > MAX_DEVNO) return { reason: `devno ${devno} leaves no room for the write and data devices (max fffd)` };
  const port = portText === '1' ? 1 : 0;
  if (macText === undefined) return { entry: { devno, busId: busIdFromDevno(number), port, mac: null } };
  const macProblem = macFormatProblem(macText);
  if (macProblem) return { reason: macProblem };
  return { entry: { devno, busId: busIdFromDevno(number), port, mac: parseMac(macText)! } };
}

function macFormatProblem(text: string): string | undefined {
  if (!/^[0-9a-fA-F]*$/.test(text)) return `MAC ${JSON.stringify(text)} contains non-hex characters`;
  if (text.length !== 12) return `MAC must be 12 hex digits, got ${text.length}`;
  return undefined;
}

/** Duplicates, conflicts, the MAC rule and the entry limit, in order of first appearance. */
function settle(candidates: { text: string; entry: NicEntry }[], result: NicEntries): NicEntries {
  const byDevno = new Map<string, { text: string; entry: NicEntry }[]>();
  for (const candidate of candidates) byDevno.set(candidate.entry.devno, [...(byDevno.get(candidate.entry.devno) ?? []), candidate]);
  for (const [devno, group] of byDevno) {
    const distinct = new Set(group.map(({ entry }) => formatNicEntry(entry)));
    if (distinct.size > 1) {
      // Never guess which of two different requests for one device was meant.
      for (const { text } of group) result.rejected.push({ token: text, reason: `devno ${devno} appears with conflicting settings (${[...distinct].join(' ')}); all its entries are ignored` });
      continue;
    }
    const { text, entry } = group[0]!;
    if (result.entries.length >= MAX_ENTRIES) {
      result.rejected.push({ token: text, reason: `more than ${MAX_ENTRIES} NIC entries; ignored` });
      continue;
    }
    const violation = entry.mac ? macRuleViolation(entry.mac) : undefined;
    if (violation) result.rejected.push({ token: text, reason: `MAC ${entry.mac} ${violation}; the device is configured without it` });
    result.entries.push(violation ? { ...entry, mac: null } : entry);
  }
  return result;
}

/** The normalised producer form `devno,port[,mac];` (MAC as 12 lower-case hex digits). */
export function formatNicEntry(entry: NicEntry): string {
  return `${entry.devno},${entry.port}${entry.mac ? `,${entry.mac.replaceAll(':', '')}` : ''};`;
}
