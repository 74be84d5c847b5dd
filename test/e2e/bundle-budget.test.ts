// Deterministic guards for the speed bars (timings themselves live in `npm run bench`).
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUNDLE } from '../helpers/run-bundle.js';

/** DESIGN §10: start-up cost grows with what V8 must compile. */
const MAX_BUNDLE_BYTES = 350 * 1024;

describe('the production bundle', () => {
  it(`stays within ${MAX_BUNDLE_BYTES / 1024} KB`, () => {
    expect(statSync(BUNDLE).size).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
  });

  it('contains no trace of the simulated kernel or test doubles', () => {
    const text = readFileSync(BUNDLE, 'utf8');
    for (const marker of ['test/sim', 'GBA_SIM_SCENARIO', 'memfs', 'cio_settle waits', 'maxrss_kb']) expect(text).not.toContain(marker);
  });

  it('uses no shell to run programs (shell: false is the only spawn mode it sets)', () => {
    expect(readFileSync(BUNDLE, 'utf8')).not.toMatch(/shell:\s*(!0|true)/);
  });
});
