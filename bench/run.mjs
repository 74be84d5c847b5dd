#!/usr/bin/env node
// npm run bench: whole agent processes, timed. Medians (min–max) over RUNS runs after one warm-up.
// Speed bars live here, not in unit tests: this machine is noisy, so quote medians and ratios.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qethScenario, sriovCases } from './scenarios.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const AGENT = 'dist/guest-boot-agent.js';
const SIM = 'dist-bench/agent-on-sim.js';
const ONLINE_MS = 300;

/** Runs `argv` RUNS times after a warm-up; returns {median, min, max} wall milliseconds and the last run. */
function measure(argv, env = {}) {
  const times = [];
  let last;
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    last = spawnSync(argv[0], argv.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (last.status !== 0 && !env.ALLOW_FAILURE) throw new Error(`${argv.join(' ')} exited ${last.status}: ${last.stderr}`);
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times.at(-1), last };
}

const fmt = (m) => `${m.median.toFixed(0)} ms (${m.min.toFixed(0)}–${m.max.toFixed(0)})`;
const rows = [];
const row = (what, result, limit, ratio, bar) => rows.push({ what, result, limit, ratio, bar, ok: ratio === undefined || bar === undefined ? '' : ratio <= bar ? 'yes' : 'NO' });

const work = mkdtempSync(join(tmpdir(), 'gba-bench-'));
try {
  // Cold start: the agent against a bare node.
  const node = measure([process.execPath, '-e', '0']);
  const version = measure([process.execPath, AGENT, '--version']);
  row('cold start: --version vs node -e 0', fmt(version), fmt(node), version.median / node.median, 1.25);

  // qeth end to end on the simulated kernel: the physical limit is one online latency plus process start.
  const simStart = measure([process.execPath, SIM, '--version'], { GBA_SIM_SCENARIO: writeScenario('empty', { qeth: { devices: [] } }) });
  for (const nics of [1, 4, 12]) {
    const { scenario, cmdline } = qethScenario(nics, ONLINE_MS);
    const root = mkdtempSync(join(work, 'root-'));
    const run = measure([process.execPath, SIM, 'qeth', '--root', root, '--cmdline', cmdline], { GBA_SIM_SCENARIO: writeScenario(`qeth-${nics}`, scenario) });
    const limit = ONLINE_MS + simStart.median;
    row(`qeth, ${nics} NIC${nics > 1 ? 's' : ''} (online ${ONLINE_MS} ms each)`, fmt(run), `${limit.toFixed(0)} ms`, run.median / limit, 1.5);
  }

  // SR-IOV on the simulated mlx5: next to the sum of the waits no agent can avoid.
  for (const c of sriovCases()) {
    const root = mkdtempSync(join(work, 'root-'));
    writeFileSync(join(work, `${c.name}.json`), JSON.stringify(c.vendorData));
    const run = measure([process.execPath, SIM, 'sriov', '--root', root, '--vendor-data', join(work, `${c.name}.json`)], { GBA_SIM_SCENARIO: writeScenario(c.name, c.scenario) });
    const limit = c.unavoidableMs + simStart.median;
    row(c.title, fmt(run), `${limit.toFixed(0)} ms`, run.median / limit, 1.5);
  }

  // Size and memory: deterministic size, peak RSS of the 12-NIC run as the kernel reports it.
  const size = statSync(AGENT).size;
  row('bundle size', `${(size / 1024).toFixed(0)} KB`, '350 KB', size / (350 * 1024), 1);
  const { scenario, cmdline } = qethScenario(12, ONLINE_MS);
  const rss = peakRssKb([process.execPath, SIM, 'qeth', '--root', mkdtempSync(join(work, 'root-')), '--cmdline', cmdline], { GBA_SIM_SCENARIO: writeScenario('rss', scenario) });
  row('peak RSS, 12-NIC qeth run', `${(rss / 1024).toFixed(1)} MB`, '64 MB', rss / (64 * 1024), 1);
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`\n${RUNS} runs each after a warm-up; Node ${process.version}; ${process.arch}\n`);
console.log('| measure | median (min–max) | limit | ratio | bar | met |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.what} | ${r.result} | ${r.limit} | ${r.ratio?.toFixed(2) ?? ''} | ${r.bar ?? ''} | ${r.ok} |`);
if (rows.some((r) => r.ok === 'NO')) process.exitCode = 1;

function writeScenario(name, scenario) {
  const path = join(work, `${name}.scenario.json`);
  writeFileSync(path, JSON.stringify(scenario));
  return path;
}

/** Peak resident set (KiB) of a child, as the sim bundle reports it at exit (process.resourceUsage().maxRSS). */
function peakRssKb(argv, env) {
  const result = spawnSync(argv[0], argv.slice(1), { env: { ...process.env, ...env, GBA_REPORT_MAXRSS: '1' }, encoding: 'utf8' });
  const match = /maxrss_kb=(\d+)/.exec(result.stderr);
  if (!match) throw new Error(`no maxrss report: ${result.stderr}`);
  return Number(match[1]);
}
