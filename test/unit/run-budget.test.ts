// The units' TimeoutStartSec against the agent's own worst case, computed from the constants the code runs with:
// systemd must never kill a run that is still within its contract (issue 10). Also the sum the sriov budget claims.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vfAppearTimeoutMs } from '../../src/sriov/plan.js';
import type { BudgetedCommand } from '../../src/run-budget.js';
import { DEFAULT_FETCH_TIMEOUT_S, PF_WAIT_MS, SRIOV_APPLY_BUDGET_MS, WRAP_UP_MS, runBudgetMs, worstCaseMs } from '../../src/run-budget.js';
import { BIND_TIMEOUT_MS } from '../../src/sriov/plan.js';

const UNITS: Record<string, BudgetedCommand> = {
  'guest-boot-agent-qeth.service': 'qeth',
  'guest-boot-agent-setmac@.service': 'setmac',
  'guest-boot-agent-sriov.service': 'sriov',
};

/** TimeoutStartSec in ms; this repo writes plain seconds ("180s"). */
function timeoutStartMs(unit: string): number {
  const text = readFileSync(join(__dirname, '../../systemd', unit), 'utf8');
  const values = [...text.matchAll(/^TimeoutStartSec=(\d+)s?$/gm)].map((match) => Number(match[1]) * 1000);
  expect(values, `${unit}: exactly one TimeoutStartSec=<seconds>s`).toHaveLength(1);
  return values[0]!;
}

describe('TimeoutStartSec of each unit', () => {
  it.each(Object.entries(UNITS))('%s allows at least the agent worst case for `%s`', (unit, command) => {
    expect(timeoutStartMs(unit)).toBeGreaterThanOrEqual(worstCaseMs(command));
  });

  it.each(Object.entries(UNITS))('%s states the worst case it was derived from in its comment', (unit, command) => {
    const text = readFileSync(join(__dirname, '../../systemd', unit), 'utf8');
    expect(text).toContain(`worst case ${worstCaseMs(command) / 1000} s`);
  });
});

describe('the sriov budget', () => {
  it('is the fetch budget plus the apply budget; the default fetch budget is 120 s', () => {
    expect(DEFAULT_FETCH_TIMEOUT_S).toBe(120);
    expect(runBudgetMs('sriov')).toBe(120_000 + SRIOV_APPLY_BUDGET_MS);
    expect(runBudgetMs('sriov', 30)).toBe(30_000 + SRIOV_APPLY_BUDGET_MS);
    expect(worstCaseMs('sriov')).toBe(runBudgetMs('sriov') + WRAP_UP_MS);
  });

  it('covers waiting for a PF, 64 VFs appearing and the bind checks', () => {
    expect(PF_WAIT_MS + vfAppearTimeoutMs(64) + BIND_TIMEOUT_MS).toBeLessThanOrEqual(SRIOV_APPLY_BUDGET_MS);
  });
});
