// The vendor-data cache holds only `mlnx_sriov`, and `show` never prints other vendors' keys: the sim bundle fetches
// from a real HTTP server on loopback and caches; the production bundle's `show` reads the cache under --root.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
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
const SECRET = 'S3CR3T-do-not-print';
const MLNX = { enable_sriov: true, physical_guids: ['04bd700300374486'], virtual_guids: [['fefeab03004f86b9']] };
const WHOLE = { other_vendor: { secret_token: SECRET }, mlnx_sriov: MLNX, static: { password: SECRET } };
const CACHE = 'run/guest-boot-agent/vendor_data2.json';
const SCENARIO: ScenarioFile = { sriov: { pfs: [{ address: '0000:01:00.0', portGuid: '04bd700300374486', totalVfs: 8, mode: 'ofed' }] } };

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(body: string): Promise<string> {
  const server = createServer((_request, response) => void response.writeHead(200, { 'content-type': 'application/json' }).end(body));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
}

/** `sriov` in the sim bundle on SCENARIO, files under `root`. */
function sriovOnSim(root: string, args: string[]) {
  const scenario = join(root, 'machine.json');
  writeFileSync(scenario, JSON.stringify(SCENARIO));
  return runBundle(['sriov', '--root', root, ...args], { bundle: SIM_BUNDLE, env: { GBA_SIM_SCENARIO: scenario } });
}

/** `show` and `show --json` of the production bundle on `root`; both outputs, stdout and stderr. */
async function showBoth(root: string) {
  const text = await runBundle(['show', '--root', root, '--cmdline', '']);
  const json = await runBundle(['show', '--json', '--root', root, '--cmdline', '']);
  expect([text.code, json.code]).toEqual([0, 0]);
  return { text, json, all: [text.stdout, text.stderr, json.stdout, json.stderr].join('\n') };
}

describe('the vendor-data cache and show', () => {
  it('a fetched document is cached as its mlnx_sriov part only (0600); show prints that and names nothing secret', async () => {
    const root = makeTmpRoot();
    const run = await sriovOnSim(root, ['--metadata-url', await serve(JSON.stringify(WHOLE))]);
    expect(run.code).toBe(0);
    const cached = readFileSync(join(root, CACHE), 'utf8');
    expect(JSON.parse(cached)).toEqual({ mlnx_sriov: MLNX });
    expect(statSync(join(root, CACHE)).mode & 0o777).toBe(0o600);
    const { text, json, all } = await showBoth(root);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('secret_token');
    expect(JSON.parse(json.stdout).vendorData).toEqual({ path: '/run/guest-boot-agent/vendor_data2.json', mlnx_sriov: MLNX, otherKeys: [] });
    expect(text.stdout).toContain(`mlnx_sriov: ${JSON.stringify(MLNX)}`);
  });

  it('an old cache holding the whole document: show names the other keys, never their values', async () => {
    const root = makeTmpRoot({ [CACHE]: JSON.stringify(WHOLE) });
    const { text, json, all } = await showBoth(root);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('secret_token');
    expect(JSON.parse(json.stdout).vendorData).toEqual({ path: '/run/guest-boot-agent/vendor_data2.json', mlnx_sriov: MLNX, otherKeys: ['other_vendor', 'static'] });
    expect(text.stdout).toContain('other keys, not shown: "other_vendor", "static"');
  });

  it('an old cache that is not JSON is described, not printed', async () => {
    const root = makeTmpRoot({ [CACHE]: `{"other_vendor": {"secret_token": "${SECRET}"}, "mlnx_sriov": tru` });
    const { json, all } = await showBoth(root);
    expect(all).not.toContain(SECRET);
    expect(JSON.parse(json.stdout).vendorData).toEqual({ path: '/run/guest-boot-agent/vendor_data2.json', problem: 'not JSON', otherKeys: [] });
  });

  it('sriov using an old cache rewrites it reduced to mlnx_sriov (a dry run leaves it alone)', async () => {
    const root = makeTmpRoot({ [CACHE]: JSON.stringify(WHOLE) });
    expect((await sriovOnSim(root, ['--dry-run'])).code).toBe(0);
    expect(readFileSync(join(root, CACHE), 'utf8')).toContain(SECRET);
    const run = await sriovOnSim(root, ['--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).source).toEqual({ kind: 'cache', where: '/run/guest-boot-agent/vendor_data2.json' });
    expect(JSON.parse(readFileSync(join(root, CACHE), 'utf8'))).toEqual({ mlnx_sriov: MLNX });
    expect(readFileSync(join(root, 'run/guest-boot-agent/sriov.json'), 'utf8')).not.toContain(SECRET);
  });
});
