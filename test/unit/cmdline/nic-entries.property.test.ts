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

  it('never takes a key=value parameter for a NIC list, whatever its value (cio_ignore=fd00,fd01,!condev)', () => {
    const key = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_.0123456789'), minLength: 1, maxLength: 12 });
    const value = fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF,;!.-x'), maxLength: 60 }), validEntry.map(formatNicEntry));
    fc.assert(
      fc.property(key, value, (k, v) => {
        expect(parseNicEntries(`${k}=${v}`)).toEqual({ entries: [], rejected: [], warnings: [] });
      }),
      { numRuns: RUNS },
    );
  });

  it('finds exactly the standalone entries among arbitrary key=value parameters', () => {
    const param = fc.tuple(fc.constantFrom('cio_ignore', 'root', 'rd.zfcp', 'console'), fc.string({ unit: fc.constantFrom(...'0123456789abcdef,;!.'), maxLength: 30 }));
    const entries = fc.uniqueArray(validEntry, { selector: (e) => e.devno, maxLength: 12 });
    fc.assert(
      fc.property(entries, fc.array(param, { maxLength: 6 }), (nics, params) => {
        const tokens = [...params.map(([k, v]) => `${k}=${v}`), ...nics.map(formatNicEntry)];
        expect(parseNicEntries(tokens.join(' '))).toEqual({ entries: nics, rejected: [], warnings: [] });
      }),
      { numRuns: RUNS / 10 },
    );
  });
});
