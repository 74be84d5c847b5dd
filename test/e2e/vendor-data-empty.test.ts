// `mlnx_sriov: {}` is re-fetched for min(30 s, a quarter of --timeout) before it counts as nothing to do: the sim
// bundle (a real process) against a real HTTP server on loopback that answers `{}` first.
import { existsSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runBundle } from '../helpers/run-bundle.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';
import type { ScenarioFile } from '../sim/scenario-file.js';

const SIM_BUNDLE = join(__dirname, '../../dist-bench/agent-on-sim.js');
const PATH = '/openstack/latest/vendor_data2.json';
const EMPTY = '{"mlnx_sriov": {}}';
const DOC = JSON.stringify({ mlnx_sriov: { enable_sriov: true, physical_guids: ['04bd700300374486'], virtual_guids: [['fefeab03004f86b9']] } });
const SCENARIO: ScenarioFile = { sriov: { pfs: [{ address: '0000:01:00.0', portGuid: '04bd700300374486', totalVfs: 8, mode: 'ofed' }] } };

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** Answers `bodies` in turn (the last one repeats); counts requests. */
async function serve(...bodies: string[]) {
  const state = { requests: 0 };
  const server = createServer((_request, response) => {
    const body = bodies[Math.min(state.requests++, bodies.length - 1)];
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}` };
}

async function sriov(url: string, timeout: string) {
  const root = makeTmpRoot();
  const scenario = join(root, 'machine.json');
  writeFileSync(scenario, JSON.stringify(SCENARIO));
  const started = performance.now();
  const run = await runBundle(['sriov', '--root', root, '--metadata-url', url, '--timeout', timeout, '--json'], { bundle: SIM_BUNDLE, env: { GBA_SIM_SCENARIO: scenario } });
  return { ...run, root, ms: performance.now() - started };
}

describe('sriov: mlnx_sriov {} is fetched again within the bound', () => {
  it('{} then the document within the bound → configured and cached', async () => {
    const server = await serve(EMPTY, EMPTY, DOC);
    const run = await sriov(server.url, '20');
    expect(run.code).toBe(0);
    expect(server.state.requests).toBe(3);
    const doc = JSON.parse(run.stdout);
    expect(doc.results).toEqual([{ target: '0000:01:00.0', ok: true, changed: true }, { target: '0000:01:00.0/vf0', ok: true, changed: true }]);
    expect(run.stderr).toMatch(/^<6>metadata: http:\/\/127\.0\.0\.1:\d+\/openstack\/latest\/vendor_data2\.json: mlnx_sriov is \{\} \(SR-IOV disabled, or the vendor-data service failed\); asking again in [\d.]+ s \(for up to 5 s\)$/m);
    expect(run.stderr).not.toMatch(/^<[0-4]>/m);
    expect(existsSync(join(run.root, 'run/guest-boot-agent/vendor_data2.json'))).toBe(true);
  });

  it('{} throughout → exit 0 after the bound with a warning naming both causes; nothing cached', async () => {
    const server = await serve(EMPTY);
    // --timeout 2 → a bound of 0.5 s.
    const run = await sriov(server.url, '2');
    expect(run.code).toBe(0);
    expect(server.state.requests).toBeGreaterThanOrEqual(2);
    expect(run.ms).toBeGreaterThanOrEqual(500);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('<4>'));
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^<4>vendor-data: mlnx_sriov is \\{\\} \\(still \\{\\} after ${server.state.requests} fetches over [\\d.]+ s\\): either SR-IOV is disabled for this instance \\(the vendor-data service answers \\{\\} then\\), or Nova's call to the vendor-data service failed \\(Nova serves \\{\\} then; see nova-api's log\\): nothing to do$`,
        ),
      ),
    ]);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 0, actions: [], results: [] });
    expect(existsSync(join(run.root, 'run/guest-boot-agent/vendor_data2.json'))).toBe(false);
  });
});
