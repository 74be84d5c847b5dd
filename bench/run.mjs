#!/usr/bin/env node
// npm run bench: the production bundle as a process, timed, on the kernel model served through FUSE (test/fuse):
// every sysfs read and write is a real syscall through Node's fs and libuv's pool, and a modelled latency blocks
// the writing thread. Medians (min–max) over BENCH_RUNS runs (default 7) after one warm-up; ratios against the
// limit each bar names. This machine is noisy: quote medians and ratios.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { qethScenario, sriovCases } from './scenarios.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** BENCH_TIMELINE=1: after each case, the model's steps of its last run, in ms from the agent's spawn. */
const TIMELINE = process.env.BENCH_TIMELINE === '1';
/** GBA_BUNDLE: time another build (e.g. another branch's) on the same model. */
const AGENT = process.env.GBA_BUNDLE ?? 'dist/guest-boot-agent.js';
const MODEL = 'dist-bench/model-on-fuse.mjs';
const ONLINE_MS = 300;
/** The pool libuv has when nobody sizes it: the figure the README puts next to the agent's own. */
const DEFAULT_POOL = { UV_THREADPOOL_SIZE: '4' };

const median = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1) };
};
const fmt = (m) => `${m.median.toFixed(0)} ms (${m.min.toFixed(0)}–${m.max.toFixed(0)})`;

/** Runs `argv` RUNS times after a warm-up, no model involved (cold start). */
function measureBare(argv) {
  const times = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${argv.join(' ')} exited ${run.status}: ${run.stderr}`);
    if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** The launcher `install` writes (into a scratch root under `work`), its bundle path pointed at `bundle`. */
function launcherFor(bundle) {
  const root = join(work, 'image');
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  // install checks that the launcher's interpreter exists in the image; the bench runs it with this node anyway.
  writeFileSync(join(root, 'usr/bin/node'), '');
  chmodSync(join(root, 'usr/bin/node'), 0o755);
  const install = spawnSync(process.execPath, [bundle, 'install', '--root', root, '--enable', 'none', '--node', '/usr/bin/node'], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`install --root ${root} exited ${install.status}: ${install.stderr}`);
  const text = readFileSync(join(root, 'usr/bin/guest-boot-agent'), 'utf8');
  const pointed = text.replace(JSON.stringify('/usr/lib/guest-boot-agent/guest-boot-agent.js'), JSON.stringify(resolve(bundle)));
  if (pointed === text) throw new Error('the launcher no longer names /usr/lib/guest-boot-agent/guest-boot-agent.js: update bench/run.mjs');
  const launcher = join(root, 'launcher.js');
  writeFileSync(launcher, pointed);
  return launcher;
}

/** n programs started at once from this Node process and waited for, RUNS times: what process creation costs on
 * this machine (Node forks the whole process for every spawn, on the main thread, one after another). */
async function measureSpawns(n) {
  const once = () => new Promise((resolve, reject) => spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'pipe'] }).on('error', reject).on('close', resolve));
  const times = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: n }, once));
    if (i > 0) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** The model process for one scenario: mounted once, a fresh machine before every run. */
async function startModel(scenarioPath) {
  const child = spawn(process.execPath, [MODEL, scenarioPath], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  child.once('exit', (code) => {
    for (const { reject } of waiting.splice(0)) reject(new Error(`the model process exited ${code}`));
  });
  const next = () => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const ask = async (command) => {
    const answer = next();
    child.stdin.write(`${command}\n`);
    return answer;
  };
  const { root, binDir } = JSON.parse(await next());
  return {
    root,
    binDir,
    reset: () => ask('reset'),
    stats: async () => JSON.parse(await ask('stats')),
    steps: async () => JSON.parse(await ask('steps')),
    quit: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.stdin.write('quit\n');
    }),
  };
}

/** Spawns the agent (asynchronously: the model answers in another process, but keep this loop free too). */
function runAgent(model, args, env, preload = []) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const spawnedAt = performance.timeOrigin + performance.now();
    const child = spawn(process.execPath, [...preload, AGENT, '--root', model.root, ...args], {
      env: { PATH: `${model.binDir}:${process.env.PATH}`, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, spawnedAt, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
  });
}

/** RUNS timed runs after a warm-up, each on a fresh machine; the model's record of the last run. */
async function measureOnModel(model, args, env = {}) {
  const times = [];
  let last;
  for (let i = 0; i <= RUNS; i++) {
    await model.reset();
    last = await runAgent(model, args, env);
    if (last.code !== 0) throw new Error(`agent ${args.join(' ')} exited ${last.code}: ${last.stderr}`);
    if (i > 0) times.push(last.ms);
  }
  if (TIMELINE) {
    const at = (wall) => (wall === undefined ? '…' : (wall - last.spawnedAt).toFixed(1)).padStart(7);
    console.log(`\ntimeline of the last run: ${args[0]} ${JSON.stringify(env)}, ${last.ms.toFixed(0)} ms in all`);
    for (const step of await model.steps()) console.log(`${at(step.start)} ${at(step.end)}  ${step.kind} ${step.target} ${step.value ?? ''}`.trimEnd());
  }
  return { ...median(times), stats: await model.stats() };
}

const rows = [];
const notes = [];
const row = (what, result, limit, ratio, bar) =>
  rows.push({ what, result, limit, ratio, bar, ok: ratio === undefined || bar === undefined ? '' : ratio <= bar ? 'yes' : 'NO' });

const work = mkdtempSync(join(tmpdir(), 'gba-bench-'));
const writeJson = (name, value) => {
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};
try {
  // Cold start: the agent against a bare node. Also "process start" in the limits below.
  const node = measureBare([process.execPath, '-e', '0']);
  const start = measureBare([process.execPath, AGENT, '--version']);
  row('cold start: --version vs node -e 0', fmt(start), fmt(node), start.median / node.median, 1.25);
  // What an image runs is /usr/bin/guest-boot-agent, the launcher `install` writes in front of the bundle: the same
  // text, written by the bundle's own install into a scratch root, pointed at this bundle.
  const launched = measureBare([process.execPath, launcherFor(AGENT), '--version']);
  row('cold start through the launcher: --version vs node -e 0', fmt(launched), fmt(node), launched.median / node.median, 1.25);

  // qeth: the physical limit is process start + one online latency (+ the model's free and rename delays, none
  // here: nothing is hidden by cio_ignore and no entry has a MAC).
  for (const nics of [1, 4, 12]) {
    const { scenario, cmdline } = qethScenario(nics, ONLINE_MS);
    const model = await startModel(writeJson(`qeth-${nics}.json`, scenario));
    try {
      const limit = start.median + ONLINE_MS;
      const plural = nics > 1 ? 's' : '';
      const own = await measureOnModel(model, ['qeth', '--cmdline', cmdline]);
      row(`qeth, ${nics} NIC${plural} (online ${ONLINE_MS} ms each): ${own.stats.maxWritesInFlight} writes in flight at most`, fmt(own), `${limit.toFixed(0)} ms`, own.median / limit, 1.5);
      if (nics === 12) {
        const pool4 = await measureOnModel(model, ['qeth', '--cmdline', cmdline], DEFAULT_POOL);
        row(`qeth, 12 NICs, UV_THREADPOOL_SIZE=4: ${pool4.stats.maxWritesInFlight} in flight at most`, fmt(pool4), `${limit.toFixed(0)} ms`, pool4.median / limit, undefined);
        // Peak RSS of the same run, as the kernel reports it at exit (a preload prints it; the bundle is unchanged).
        await model.reset();
        const probe = await runAgent(model, ['qeth', '--cmdline', cmdline], {}, ['--require', join(process.cwd(), 'bench/report-maxrss.cjs')]);
        const rss = Number(/maxrss_kb=(\d+)/.exec(probe.stderr)?.[1] ?? Number.NaN);
        row('peak RSS, 12-NIC qeth run', `${(rss / 1024).toFixed(1)} MB`, '64 MB', rss / (64 * 1024), 1);
      }
    } finally {
      await model.quit();
    }
  }

  // SR-IOV on the modelled mlx5: next to the sum of the waits no agent can avoid.
  for (const c of sriovCases()) {
    const model = await startModel(writeJson(`${c.name}.json`, c.scenario));
    try {
      const args = ['sriov', '--vendor-data', writeJson(`${c.name}.vendor.json`, c.vendorData)];
      const limit = c.unavoidableMs + start.median;
      const own = await measureOnModel(model, args);
      row(c.title, fmt(own), `${limit.toFixed(0)} ms`, own.median / limit, 1.3);
      if (c.programRuns) {
        // The inbox path cannot set a GUID without running `ip`: the same run against the waits plus that many
        // process creations, measured here (a figure of this machine, not of the agent).
        const spawns = await measureSpawns(c.programRuns);
        const withSpawns = limit + spawns.median;
        row(`${c.title}, against the waits + ${c.programRuns} process creations (${fmt(spawns)})`, fmt(own), `${withSpawns.toFixed(0)} ms`, own.median / withSpawns, 1.3);
      }
      const pool4 = await measureOnModel(model, args, DEFAULT_POOL);
      row(`${c.title}, UV_THREADPOOL_SIZE=4`, fmt(pool4), `${limit.toFixed(0)} ms`, pool4.median / limit, undefined);
      for (const [path, max] of Object.entries(own.stats.maxInFlightByPath)) {
        const count = own.stats.writesByPath[path];
        // An attribute written several times, fewer of them at once: where the writes waited for each other.
        if (count >= 4 && count > max) notes.push(`${c.name}: ${count} writes to ${path}, at most ${max} at once`);
      }
    } finally {
      await model.quit();
    }
  }

  const size = statSync(AGENT).size;
  row('bundle size', `${(size / 1024).toFixed(0)} KB`, '350 KB', size / (350 * 1024), 1);
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`\n${RUNS} runs each after a warm-up, through the FUSE kernel model; Node ${process.version}; ${process.arch}\n`);
console.log('| measure | median (min–max) | limit | ratio | bar | met |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.what} | ${r.result} | ${r.limit} | ${r.ratio?.toFixed(2) ?? ''} | ${r.bar ?? ''} | ${r.ok} |`);
for (const note of notes) console.log(`\nnote: ${note}`);
if (rows.some((r) => r.ok === 'NO')) process.exitCode = 1;
