// Scenario builders for the benchmark: simulated machines and the inputs that exercise them.

/** `nics` OSA triples with `onlineMs` online latency, and the cmdline naming them (no MACs: no rename wait). */
export function qethScenario(nics, onlineMs) {
  const reads = Array.from({ length: nics }, (_, i) => 1 + 3 * i);
  const devices = reads.flatMap((read) => [0, 1, 2].map((k) => ({ busId: `0.0.${(read + k).toString(16).padStart(4, '0')}` })));
  const cmdline = reads.map((read) => `${read.toString(16).padStart(4, '0')},0;`).join('');
  return { scenario: { qeth: { devices, moduleLoaded: true, onlineLatencyMs: onlineMs } }, cmdline };
}

/** SR-IOV cases; filled in once the simulated mlx5 exists (see test/sim). */
export function sriovCases() {
  return [];
}
