// The metadata source against a real node:http server on loopback: retries, timeouts, caps, redirects, IPv6 zones.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { InputUnavailableError, UsageError } from '../../src/errors.js';
import { createNodeHost } from '../../src/host/node-host.js';
import { createLogger } from '../../src/log.js';
import type { MetadataFetchOptions } from '../../src/sriov/sources/http.js';
import { fetchVendorData } from '../../src/sriov/sources/http.js';

const DOC = '{"mlnx_sriov": {"enable_sriov": true, "physical_guids": ["04bd700300374486"], "virtual_guids": [["fefeab03004f86b9"]]}}';
const PATH = '/openstack/latest/vendor_data2.json';

type Handler = (request: IncomingMessage, response: ServerResponse, count: number) => void;
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A loopback server answering with `handler`; `requests` counts what reached it. */
async function serve(handler: Handler, address = '127.0.0.1') {
  const state = { requests: 0, paths: [] as string[] };
  const server = createServer((request, response) => {
    state.requests += 1;
    state.paths.push(request.url ?? '');
    handler(request, response, state.requests);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as AddressInfo).port;
  return { state, port, url: `http://${address.includes(':') ? `[${address}]` : address}:${port}${PATH}` };
}

const lines: string[] = [];
const log = createLogger({ level: 'debug', journal: false, sink: (line) => lines.push(line) });
const host = createNodeHost('/');

/** Fetch with test-sized timings; returns the result or the thrown error, and how long it took. */
async function fetchTimed(options: Partial<MetadataFetchOptions> & { url: string }) {
  const start = performance.now();
  const outcome = await fetchVendorData(host, log, { budgetMs: 2000, attemptTimeoutMs: 500, random: () => 0.5, ...options }).then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error: error as Error }),
  );
  return { ...outcome, ms: performance.now() - start };
}

describe('fetchVendorData against a real HTTP server', () => {
  it('200 with the document', async () => {
    const { url, state } = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(DOC));
    expect((await fetchTimed({ url })).value).toEqual({ kind: 'document', text: DOC, url, status: 200, bytes: DOC.length, attempts: 1 });
    expect(state.paths).toEqual([PATH]);
  });

  it('404 → "not served by this cloud", at once and without retrying', async () => {
    const { url, state } = await serve((_req, res) => res.writeHead(404).end('Not Found'));
    const { value, ms } = await fetchTimed({ url });
    expect(value).toEqual({ kind: 'not-served', url, status: 404 });
    expect(state.requests).toBe(1);
    expect(ms).toBeLessThan(400);
  });

  it('500 then 200: retries', async () => {
    const { url, state } = await serve((_req, res, n) => (n === 1 ? res.writeHead(500).end('An unknown error has occurred.') : res.end(DOC)));
    expect((await fetchTimed({ url })).value).toMatchObject({ kind: 'document', text: DOC, status: 200, attempts: 2 });
    expect(state.requests).toBe(2);
  });

  it('403: another 4xx stops at once with exit-3 error', async () => {
    const { url, state } = await serve((_req, res) => res.writeHead(403).end());
    const { error } = await fetchTimed({ url });
    expect(error).toBeInstanceOf(InputUnavailableError);
    expect(error?.message).toBe(`vendor data unavailable from ${url}: HTTP 403 (not retried)`);
    expect(state.requests).toBe(1);
  });

  it('a server that accepts and never answers: the attempt times out, the next one succeeds', async () => {
    const { url, state } = await serve((_req, res, n) => void (n === 1 ? undefined : res.end(DOC)));
    const { value, ms } = await fetchTimed({ url, attemptTimeoutMs: 400 });
    expect(value).toMatchObject({ kind: 'document' });
    expect(state.requests).toBe(2);
    expect(ms).toBeGreaterThanOrEqual(390);
  });

  it('a server that never answers: exit 3 within budget + 1 s, even with the default 10 s attempt timeout', async () => {
    const { url } = await serve(() => undefined);
    const { error, ms } = await fetchTimed({ url, budgetMs: 2000, attemptTimeoutMs: undefined });
    expect(error).toBeInstanceOf(InputUnavailableError);
    expect(error?.message).toMatch(new RegExp(`^vendor data unavailable: no document from ${url.replace(/[.[\]]/g, '\\$&')} within the 2 s budget \\(1 attempt\\); last error: timed out`));
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(3000);
  });

  it('a slow-drip body that outlasts the attempt timeout is cut off', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 50);
      res.on('close', () => clearInterval(timer));
    });
    const { error, ms } = await fetchTimed({ url, budgetMs: 1500, attemptTimeoutMs: 400 });
    expect(error).toBeInstanceOf(InputUnavailableError);
    expect(error?.message).toMatch(/last error: timed out \(no answer within \d+ ms\)$/);
    expect(ms).toBeLessThan(2500);
  });

  it('a truncated body is a failure worth retrying; alone it ends as exit 3 naming it', async () => {
    const truncate = (res: ServerResponse) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"mlnx_sriov": {');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const flaky = await serve((_req, res, n) => (n === 1 ? truncate(res) : res.end(DOC)));
    expect((await fetchTimed({ url: flaky.url })).value).toMatchObject({ kind: 'document', text: DOC });
    const broken = await serve((_req, res) => truncate(res));
    const { error, ms } = await fetchTimed({ url: broken.url, budgetMs: 1000 });
    expect(error?.message).toMatch(/last error: ECONNRESET/);
    expect(broken.state.requests).toBeGreaterThan(1);
    expect(ms).toBeLessThan(2000);
  });

  it('a 50 MB body is capped at 1 MiB and refused without retrying', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const { url, state } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(50 * chunk.length) });
      let sent = 0;
      const pump = () => {
        while (sent < 50 && res.write(chunk)) sent += 1;
        if (sent < 50 && !res.destroyed) res.once('drain', () => ((sent += 1), pump()));
        else res.end();
      };
      pump();
    });
    const { error, ms } = await fetchTimed({ url, budgetMs: 5000, attemptTimeoutMs: 5000 });
    expect(error).toBeInstanceOf(InputUnavailableError);
    expect(error?.message).toMatch(/EFBIG \(body larger than 1048576 bytes\) \(not retried\)$/);
    expect(state.requests).toBe(1);
    expect(ms).toBeLessThan(3000);
  });

  it('connection refused until the budget ends: exit 3 in ≤ budget + 1 s, naming the URL and the last error', async () => {
    const { port } = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const url = `http://127.0.0.1:${port}${PATH}`;
    const { error, ms } = await fetchTimed({ url, budgetMs: 2000, random: Math.random });
    expect(error).toBeInstanceOf(InputUnavailableError);
    expect(error?.message).toContain(`no document from ${url} within the 2 s budget`);
    expect(error?.message).toMatch(/last error: ECONNREFUSED/);
    expect(ms).toBeGreaterThanOrEqual(1500);
    expect(ms).toBeLessThanOrEqual(3000);
  });

  it('503 with Retry-After: waits as asked, within the budget', async () => {
    const { url } = await serve((_req, res, n) => (n === 1 ? res.writeHead(503, { 'retry-after': '1' }).end() : res.end(DOC)));
    const { value, ms } = await fetchTimed({ url, budgetMs: 5000, random: () => 0 });
    expect(value).toMatchObject({ kind: 'document' });
    expect(ms).toBeGreaterThanOrEqual(990);
  });

  it('refuses a redirect to another host, without retrying', async () => {
    const other = await serve((_req, res) => res.end(DOC));
    const { url, state } = await serve((_req, res) => res.writeHead(302, { location: `http://localhost:${other.port}${PATH}` }).end());
    const { error } = await fetchTimed({ url });
    expect(error).toBeInstanceOf(InputUnavailableError);
    expect(error?.message).toContain(`redirect to http://localhost:${other.port}${PATH} refused: only redirects to the same scheme, host and port are followed`);
    expect([state.requests, other.state.requests]).toEqual([1, 0]);
  });

  it('follows a redirect to the same host (absolute path and relative), and gives up on a loop', async () => {
    const { url, state } = await serve((req, res) => {
      if (req.url === PATH) return void res.writeHead(301, { location: '/moved/here' }).end();
      if (req.url === '/moved/here') return void res.writeHead(307, { location: 'there.json' }).end();
      res.end(DOC);
    });
    expect((await fetchTimed({ url })).value).toMatchObject({ kind: 'document', text: DOC });
    expect(state.paths).toEqual([PATH, '/moved/here', '/moved/there.json']);
    const loop = await serve((_req, res) => res.writeHead(302, { location: PATH }).end());
    expect((await fetchTimed({ url: loop.url })).error?.message).toMatch(/more than 3 redirects \(the last to http:\/\/127\.0\.0\.1:\d+\/openstack\/latest\/vendor_data2\.json\) \(not retried\)$/);
  });

  it('refuses URLs that are not http(s) as a usage error', async () => {
    await expect(fetchVendorData(host, log, { url: 'ftp://169.254.169.254/x', budgetMs: 100 })).rejects.toBeInstanceOf(UsageError);
    await expect(fetchVendorData(host, log, { url: 'http://user@169.254.169.254/x', budgetMs: 100 })).rejects.toThrow(/user info/);
  });

  const hasIpv6Loopback = Object.values(networkInterfaces()).some((list) => list?.some((info) => info.address === '::1'));

  it.runIf(hasIpv6Loopback)('fetches from [::1], and from a zone-scoped [::1%25lo] that WHATWG URL would reject', async () => {
    const { port } = await serve((req, res) => res.end(req.headers.host === `[::1]:${port}` ? DOC : `bad host header ${req.headers.host}`), '::1');
    expect((await fetchTimed({ url: `http://[::1]:${port}${PATH}` })).value).toMatchObject({ text: DOC });
    const scoped = `http://[::1%25lo]:${port}${PATH}`;
    expect(() => new URL(scoped)).toThrow();
    expect((await fetchTimed({ url: scoped })).value).toMatchObject({ kind: 'document', text: DOC, url: scoped });
  });
});
