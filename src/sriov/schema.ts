// vendor_data2.json on the wire → VendorDataVerdict (DESIGN §6). Bad input is a value: every problem becomes one
// line naming its JSON path (`mlnx_sriov.virtual_guids[1][0]: …`), and nothing here throws.
import * as z from 'zod/mini';
import type { Guid } from '../values/guid.js';
import { isZeroGuid, parseGuid } from '../values/guid.js';
import type { GuidLayout } from './guid-layout.js';
import { arrangeGuids } from './guid-layout.js';
import type { VendorDataVerdict } from './intent.js';

export type VendorDataParse = { ok: true; verdict: VendorDataVerdict } | { ok: false; errors: string[] };

const DOCUMENT = 'vendor_data2.json';
const GUID_MESSAGE = 'not a 16-hex-digit GUID';

/** One GUID: any accepted spelling (colons, dashes, 0x) normalised to 16 lower-case hex digits; never zero. */
const guidSchema = z.pipe(
  z.string({ error: (issue) => `${GUID_MESSAGE} (got ${describeValue(issue.input)})` }),
  z.transform((text, ctx): Guid => {
    const guid = parseGuid(text);
    if (guid === undefined) ctx.issues.push({ code: 'custom', input: text, message: `${GUID_MESSAGE} (got ${describeValue(text)})` });
    else if (isZeroGuid(guid)) ctx.issues.push({ code: 'custom', input: text, message: 'the all-zero GUID is not a valid assignment' });
    return guid ?? (z.NEVER as Guid);
  }),
);

const expected = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? `missing (expected ${what})` : `expected ${what}, got ${describeValue(issue.input)}`;

/** A P_Key as either producer wrote it (hex string, or the older integer); recorded for `show` only. */
const pkeySchema = z.pipe(
  z.union([z.string().check(z.trim(), z.minLength(1), z.maxLength(64)), z.int().check(z.nonnegative())], { error: expected('a P_Key string or integer') }),
  z.transform((value: string | number) => (typeof value === 'number' ? `0x${value.toString(16).padStart(4, '0')}` : value)),
);

/** `mlnx_sriov` when it asks for SR-IOV; unknown keys are ignored (z.object strips them). */
const enabledSchema = z.object({
  enable_sriov: z.literal(true, { error: expected('true or false') }),
  physical_guids: z.array(guidSchema, { error: expected('an array of GUID strings') }),
  virtual_guids: z.array(z.array(guidSchema, { error: expected('an array of GUID strings') }), { error: expected('an array of GUID arrays') }),
  dynamic_pkey: z.nullish(pkeySchema),
  default_limited_pkeys: z.nullish(z.array(pkeySchema, { error: expected('an array of P_Keys') })),
});

/** Parses a vendor_data2.json document and applies the GUID layout; errors list every problem, one per line. */
export function parseVendorData(text: string, layout: GuidLayout): VendorDataParse {
  let document: unknown;
  try {
    // A BOM is an editor's artefact, not a reason to refuse a hand-written --vendor-data file.
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { ok: false, errors: [`${DOCUMENT}: not JSON (${(error as Error).message})`] };
  }
  if (!isPlainObject(document)) {
    return { ok: false, errors: [`${DOCUMENT}: expected a JSON object at the top level, got ${describeValue(document)}`] };
  }
  if (!Object.hasOwn(document, 'mlnx_sriov')) return nothing('absent');
  return parseMlnxSriov(document.mlnx_sriov, layout);
}

/** The `mlnx_sriov` value: `{}` and `enable_sriov: false` mean nothing to do; anything else must validate fully. */
function parseMlnxSriov(value: unknown, layout: GuidLayout): VendorDataParse {
  if (!isPlainObject(value)) return { ok: false, errors: [`mlnx_sriov: expected an object, got ${describeValue(value)}`] };
  if (Object.keys(value).length === 0) return nothing('empty');
  // Disabled means the rest is not ours to judge: the producer may leave stale or partial lists behind.
  if (value.enable_sriov === false) return nothing('disabled');
  const parsed = enabledSchema.safeParse(value);
  const errors = [...(parsed.success ? [] : formatIssues(parsed.error.issues, ['mlnx_sriov'])), ...duplicateErrors(value)];
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  const { physical_guids, virtual_guids, dynamic_pkey, default_limited_pkeys } = parsed.data;
  const arranged = arrangeGuids({ physicalGuids: physical_guids, virtualGuids: virtual_guids, defaultLimitedPkeys: default_limited_pkeys ?? undefined }, layout);
  if (!arranged.ok) return arranged;
  return {
    ok: true,
    verdict: { kind: 'configure', intent: { pfs: arranged.pfs, dynamicPkey: dynamic_pkey ?? null, defaultLimitedPkeys: default_limited_pkeys ?? [] } },
  };
}

const nothing = (reason: 'absent' | 'empty' | 'disabled'): VendorDataParse => ({ ok: true, verdict: { kind: 'nothing', reason } });

/** GUIDs must be unique across physical and virtual lists (after normalisation); runs on the raw value so it can
 * report alongside shape errors. Each repeat names its first occurrence. */
function duplicateErrors(value: Record<string, unknown>): string[] {
  const seen = new Map<Guid, string>();
  const errors: string[] = [];
  const visit = (item: unknown, path: string) => {
    const guid = typeof item === 'string' ? parseGuid(item) : undefined;
    if (guid === undefined || isZeroGuid(guid)) return;
    const first = seen.get(guid);
    if (first === undefined) seen.set(guid, path);
    else errors.push(`${path}: duplicate GUID ${guid} (also at ${first})`);
  };
  const listAt = (item: unknown) => (Array.isArray(item) ? (item as unknown[]) : []);
  listAt(value.physical_guids).forEach((item, i) => visit(item, `mlnx_sriov.physical_guids[${i}]`));
  listAt(value.virtual_guids).forEach((row, i) => listAt(row).forEach((item, k) => visit(item, `mlnx_sriov.virtual_guids[${i}][${k}]`)));
  return errors;
}

/** `['mlnx_sriov', 'virtual_guids', 1, 0]` → `mlnx_sriov.virtual_guids[1][0]` (keys that are not identifiers quoted). */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

/** zod issues → `path: message` lines, in document order, each path prefixed with `prefix`. */
export function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], prefix: readonly PropertyKey[] = []): string[] {
  return issues.map((issue) => `${formatJsonPath([...prefix, ...issue.path]) || DOCUMENT}: ${issue.message}`);
}

/** A value as a message shows it: strings quoted and cut short (they may be hostile), containers by kind only. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** A JSON object (not an array, not null). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
