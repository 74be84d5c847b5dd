// The built sim bundle (dist-bench/agent-on-sim.js: the real CLI with sysfs and programs from the simulated mlx5)
// as a real process, fetching vendor_data2.json from a real node:http server on loopback; files go under --root.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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
const PF_A = '0000:01:00.0';
const PF_B = '0000:02:00.0';
const SCENARIO: ScenarioFile = {
  sriov: {
    pfs: [
      { address: PF_A, portGuid: '04bd700300374486', totalVfs: 8, mode: 'ofed' },
      { address: PF_B, portGuid: '04bd700300374487', totalVfs: 8, mode: 'inbox', timing: { vfAppearMs: 30 } },
    ],
  },
};
const DOCUMENT = {
  project_config: { unrelated: true },
  mlnx_sriov: { enable_sriov: true, physical_guids: ['04bd700300374486', '04:BD:70:03:00:37:44:87'], virtual_guids: [['fefeab03004f86b9', 'fefe2b03002a5777'], ['fefe1103000000b1']], dynamic_pkey: '0x3e7e' },
};

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** A loopback metadata service serving `body` at the vendor_data2 path (404 elsewhere); counts its requests. */
async function serve(body: string): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    if (request.url !== PATH) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`, requests: () => requests };
}

/** Runs `sriov --root <root> --metadata-url <url> ...extra` in the sim bundle on SCENARIO (a fresh root by default). */
async function runSriov(url: string, extra: string[] = [], root = makeTmpRoot()) {
  const scenario = join(mkdtempSync(join(root, 'scenario-')), 'machine.json');
  writeFileSync(scenario, JSON.stringify(SCENARIO));
  const run = await runBundle(['sriov', '--root', root, '--metadata-url', url, ...extra], { bundle: SIM_BUNDLE, env: { GBA_SIM_SCENARIO: scenario } });
  return { ...run, root };
}

describe('sriov in the sim bundle, vendor data from a real HTTP server', () => {
  it('configures both PFs (OFED files and ip), exit 0, one --json document, the run record and the cache', async () => {
    const server = await serve(JSON.stringify(DOCUMENT));
    const run = await runSriov(server.url, ['--json']);
    expect(run.stderr).not.toMatch(/^<[0-3]>/m);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ command: 'sriov', dryRun: false, exitCode: 0, source: { kind: 'metadata', where: server.url }, untouched: [] });
    expect(doc.intent.pfs).toEqual([
      { physicalGuid: '04bd700300374486', vfGuids: ['fefeab03004f86b9', 'fefe2b03002a5777'] },
      { physicalGuid: '04bd700300374487', vfGuids: ['fefe1103000000b1'] },
    ]);
    expect(doc.results).toEqual(
      [PF_A, `${PF_A}/vf0`, `${PF_A}/vf1`, PF_B, `${PF_B}/vf0`].map((target) => ({ target, ok: true, changed: true })),
    );
    const steps = doc.actions.map((a: { op: string; path: string; args?: string[] }) => `${a.op} ${a.op === 'exec' ? [a.path, ...a.args!].join(' ') : a.path}`);
    expect(steps).toContain(`write /sys/bus/pci/devices/${PF_A}/sriov/1/node`);
    expect(steps).toContain('exec ip link set dev ib1 vf 0 node_guid fe:fe:11:03:00:00:00:b1 port_guid fe:fe:11:03:00:00:00:b1 state auto');
    expect(server.requests()).toBe(1);
    const record = JSON.parse(readFileSync(join(run.root, 'run/guest-boot-agent/sriov.json'), 'utf8'));
    expect(record).toMatchObject({ command: 'sriov', exitCode: 0, results: doc.results });
    expect(statSync(join(run.root, 'run/guest-boot-agent/vendor_data2.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a malformed document: exit 3, the JSON path on stderr, nothing applied', async () => {
    const bad = structuredClone(DOCUMENT);
    bad.mlnx_sriov.virtual_guids[1] = ['00; rm -rf /'];
    const server = await serve(JSON.stringify(bad));
    const run = await runSriov(server.url);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^<3>vendor-data: .*mlnx_sriov\.virtual_guids\[1\]\[0\]: not a 16-hex-digit GUID \(got "00; rm -rf \/"\)$/m);
    expect(run.stdout).toBe('');
    const record = JSON.parse(readFileSync(join(run.root, 'run/guest-boot-agent/sriov.json'), 'utf8'));
    expect(record).toMatchObject({ exitCode: 3, actions: [], results: [] });
  });

  it('--dry-run changes nothing in <root>/run/guest-boot-agent: no cache, no run record, not even an mtime', async () => {
    const server = await serve(JSON.stringify(DOCUMENT));
    const root = makeTmpRoot({
      'run/guest-boot-agent/qeth.json': '{"command": "qeth", "exitCode": 0}\n',
      'run/guest-boot-agent/sriov.json': '{"command": "sriov", "exitCode": 1}\n',
    });
    const before = snapshotTree(join(root, 'run'));
    const run = await runSriov(server.url, ['--dry-run'], root);
    expect(run.code).toBe(0);
    expect(server.requests()).toBe(1);
    // The plan is printed: proof that the document was fetched and planned on, not skipped.
    expect(run.stdout).toContain(`/sys/bus/pci/devices/${PF_A}/sriov_numvfs`);
    expect(snapshotTree(join(root, 'run'))).toEqual(before);
  });

  it('--dry-run --json on a root without a run dir creates none', async () => {
    const server = await serve(JSON.stringify(DOCUMENT));
    const root = makeTmpRoot();
    mkdirSync(join(root, 'run'));
    const before = snapshotTree(join(root, 'run'));
    const run = await runSriov(server.url, ['--dry-run', '--json'], root);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ command: 'sriov', dryRun: true, exitCode: 0 });
    expect(existsSync(join(root, 'run/guest-boot-agent'))).toBe(false);
    expect(snapshotTree(join(root, 'run'))).toEqual(before);
  });
});

/** Every entry under `dir` with its type, mode, size, mtime and (for files) content: equal snapshots = untouched. */
function snapshotTree(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const visit = (path: string) => {
    const stat = lstatSync(path);
    const content = stat.isFile() ? readFileSync(path, 'utf8') : '';
    entries[path.slice(dir.length) || '/'] = `${stat.mode.toString(8)} ${stat.size} ${stat.mtimeMs} ${stat.ctimeMs} ${content}`;
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return entries;
}
