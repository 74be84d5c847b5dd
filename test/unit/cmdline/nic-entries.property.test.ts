// Properties over arbitrary input: the parser never throws, and accepted entries round-trip.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NicEntry } from '../../../src/cmdline/nic-entries.js';
import { formatNicEntry, parseNicEntries } from '../../../src/cmdline/nic-entries.js';
import { busIdFromDevno } from '../../../src/values/bus-id.js';
import type { Mac } from '../../../src/values/mac.js';

const RUNS = process.env.CI ? 10_000 : 100_000;
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const cmdlineish = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF,;= "\t\nxz.') , maxLength: 200 }),
);
// Locally administered unicast: the only MACs that survive the rule.
const mac = fc.tuple(fc.constantFrom('02', '06', '0a', '0e', 'f2', 'ae'), hex(10)).map(([first, rest]) => `${first}${rest}`.match(/../g)!.join(':') as Mac);
const validEntry: fc.Arbitrary<NicEntry> = fc
  .record({ devno: fc.integer({ min: 0, max: 0xfffd }), port: fc.constantFrom(0 as const, 1 as const), mac: fc.option(mac, { nil: null }) })
  .map(({ devno, port, mac: m }) => ({ devno: devno.toString(16).padStart(4, '0'), busId: busIdFromDevno(devno), port, mac: m }));

describe('parseNicEntries properties', () => {
  it('never throws and always returns arrays', () => {
    fc.assert(
      fc.property(cmdlineish, (text) => {
        const parsed = parseNicEntries(text);
        return Array.isArray(parsed.entries) && Array.isArray(parsed.rejected) && Array.isArray(parsed.warnings);
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts exactly the entry it formatted', () => {
    fc.assert(
      fc.property(validEntry, (entry) => {
        expect(parseNicEntries(formatNicEntry(entry))).toEqual({ entries: [entry], rejected: [], warnings: [] });
      }),
      { numRuns: RUNS },
    );
  });

  it('re-serialises every accepted entry to itself', () => {
    fc.assert(
      fc.property(cmdlineish, (text) => {
        for (const entry of parseNicEntries(text).entries) {
          expect(parseNicEntries(formatNicEntry(entry)).entries).toEqual([entry]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
