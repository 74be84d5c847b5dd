// The production bundle as a process says where its vendor data came from (metadata URL with status, size and
// attempt; the file; the cache), and, run by systemd, warns at once when the metadata URL is one the unit's
// IPAddressAllow= drops (in a network namespace of our own with nothing configured, so nothing leaves this machine).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runBundle } from '../helpers/run-bundle.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';

const PATH = '/openstack/latest/vendor_data2.json';
// Disabled: nothing to do on a root without PFs, so the run ends at once with exit 0 and only the source matters.
const DOC = JSON.stringify({ static: {}, mlnx_sriov: { enable_sriov: false } });
const JOURNAL = { JOURNAL_STREAM: '8:1', INVOCATION_ID: '0123456789abcdef' };

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** Answers 503 `failures` times, then the document. */
async function serve(failures = 0) {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    if (requests <= failures) return void response.writeHead(503).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(DOC);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
}

describe('sriov says where the vendor data came from', () => {
  it('metadata: URL, HTTP status, size and attempt at info; a loopback URL is no IPAddressAllow= matter', async () => {
    const url = await serve(1);
    const run = await runBundle(['sriov', '--root', makeTmpRoot(), '--metadata-url', url], { env: JOURNAL });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`<6>vendor-data: from the metadata service ${url}: HTTP 200, ${DOC.length} bytes, attempt 2\n`);
    expect(run.stderr).not.toContain('IPAddressAllow');
  });

  it('a file: its path and size', async () => {
    const root = makeTmpRoot({ 'doc.json': DOC });
    const run = await runBundle(['sriov', '--root', root, '--vendor-data', join(root, 'doc.json')], { env: JOURNAL });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`<6>vendor-data: from the file ${join(root, 'doc.json')}: ${DOC.length} bytes\n`);
  });

  it('the cache of this boot: its path and size', async () => {
    const cached = '{"mlnx_sriov":{"enable_sriov":false}}\n';
    const root = makeTmpRoot({ 'run/guest-boot-agent/vendor_data2.json': cached });
    const run = await runBundle(['sriov', '--root', root], { env: JOURNAL });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`<6>vendor-data: from the cache of this boot /run/guest-boot-agent/vendor_data2.json: ${cached.length} bytes (mlnx_sriov as fetched earlier)\n`);
  });
});

const NS = `gba-sriov-${randomBytes(3).toString('hex')}`;
const netns = process.getuid?.() === 0 && spawnSync('/usr/sbin/ip', ['netns', 'add', NS]).status === 0;
afterAll(() => {
  if (netns) spawnSync('/usr/sbin/ip', ['netns', 'del', NS]);
});

describe.skipIf(!netns)('the IPAddressAllow= warning (a network namespace without routes)', () => {
  const URL = 'http://192.0.2.10/openstack/latest/vendor_data2.json';
  const inNetns = (env: NodeJS.ProcessEnv) => runBundle(['sriov', '--root', makeTmpRoot(), '--metadata-url', URL, '--timeout', '1'], { prefix: ['/usr/sbin/ip', 'netns', 'exec', NS], env });

  it('under systemd, a URL outside link-local/loopback: a warning at the start naming the drop-in, before the wait', async () => {
    const run = await inNetns(JOURNAL);
    expect(run.code).toBe(3);
    const lines = run.stderr.split('\n');
    const warning = lines.findIndex((line) => line.includes('IPAddressAllow='));
    // At the start: before the first attempt's failure is reported.
    expect(warning).toBeGreaterThanOrEqual(0);
    expect(warning).toBeLessThan(lines.findIndex((line) => line.includes('192.0.2.10/openstack')));
    expect(lines[warning]).toBe(
      '<4>metadata: metadata URL host 192.0.2.10 is neither link-local nor loopback, and guest-boot-agent-sriov.service allows only those (IPAddressDeny=any, IPAddressAllow=link-local localhost): the kernel drops the packets and the fetch ends "timed out". Add IPAddressAllow=192.0.2.10 under [Service] in a drop-in, /etc/systemd/system/guest-boot-agent-sriov.service.d/metadata-url.conf (systemctl edit guest-boot-agent-sriov.service)',
    );
    expect(run.stderr).toMatch(/^<3>.*vendor data unavailable/m);
  });

  it('not under systemd (neither INVOCATION_ID nor JOURNAL_STREAM): no such warning', async () => {
    const run = await inNetns({});
    expect(run.code).toBe(3);
    expect(run.stderr).not.toContain('IPAddressAllow');
  });
});
