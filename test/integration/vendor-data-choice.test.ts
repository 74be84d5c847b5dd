// The automatic choice of source and the per-boot cache, on the real host under a temp root: a loopback server
// stands in for 169.254.169.254, a loop-mounted drive for the config drive (root only), and a `blkid` that finds
// nothing on PATH keeps this machine's own disks out of it.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputUnavailableError, UsageError } from '../../src/errors.js';
import type { Host } from '../../src/host/host.js';
import { createOperatorInput } from '../../src/host/input.js';
import { createLiveProgramsHost as createNodeHost } from '../helpers/live-programs-host.js';
import { createLogger } from '../../src/log.js';
import type { VendorDataRequest } from '../../src/sriov/sources/choose.js';
import { VENDOR_DATA_CACHE } from '../../src/sriov/sources/cache.js';
import { acquireVendorData } from '../../src/sriov/sources/choose.js';
import { readVendorDataFile } from '../../src/sriov/sources/file.js';
import { canLoopMount, linkDevice, makeDrive, makeMountRoot, mountsUnder } from '../helpers/loop-drive.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';

const DOC = JSON.stringify({ mlnx_sriov: { enable_sriov: true, physical_guids: ['04bd700300374486'], virtual_guids: [['fefeab03004f86b9']] } });
const PKEY_MAJOR = JSON.stringify({
  mlnx_sriov: { enable_sriov: true, physical_guids: ['04bd700300374486', '04bd700300374487'], virtual_guids: [['fefe000300000001', 'fefe000300000002'], ['fefe000300000003', 'fefe000300000004'], ['fefe000300000005', 'fefe000300000006']], default_limited_pkeys: ['0x1', '0x2', '0x3'] },
});
const lines: string[] = [];
const log = createLogger({ level: 'debug', journal: false, sink: (line) => lines.push(line) });
const servers: Server[] = [];
let savedPath: string | undefined;
let usable = false;

beforeAll(() => {
  const bin = mkdtempSync(join(tmpdir(), 'gba-bin-'));
  writeFileSync(join(bin, 'blkid'), '#!/bin/sh\nexit 2\n');
  chmodSync(join(bin, 'blkid'), 0o755);
  savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath ?? ''}`;
  usable = canLoopMount();
});
afterAll(() => {
  const bin = process.env.PATH?.split(':')[0];
  process.env.PATH = savedPath;
  if (bin?.includes('gba-bin-')) rmSync(bin, { recursive: true, force: true });
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A metadata server answering `bodies` in turn (the last one repeats), and a host that sends the default URL to it. */
async function metadata(root: string, ...bodies: [number, string][]) {
  const state = { requests: 0 };
  const server = createServer((_req, res) => {
    const [status, body] = bodies[Math.min(state.requests++, bodies.length - 1)] ?? [500, ''];
    res.writeHead(status).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const real = createNodeHost(root);
  const host: Host = { ...real, http: { get: (url, options) => real.http.get(url.replace('http://169.254.169.254', base), options) } };
  return { host, state, base };
}

/** Found through the by-label link we make; a filesystem label other than config-2 keeps these drives out of the
 * real-blkid test running in parallel (config-drive.test.ts). */
const DRIVE_LABEL = 'gba-choice';
const auto: VendorDataRequest = { budgetMs: 1500, layout: 'pf-major', random: () => 0.5 };
const cacheOf = (root: string) => join(root, VENDOR_DATA_CACHE);

describe('acquireVendorData: automatic choice and cache', () => {
  it('no config drive: fetches from the metadata service once, caches it 0600, and reuses the cache on the next run', async () => {
    const root = makeTmpRoot();
    const { host, state } = await metadata(root, [200, DOC]);
    const first = await acquireVendorData(host, log, auto);
    expect(first).toMatchObject({ kind: 'parsed', source: { kind: 'metadata' }, parse: { ok: true, verdict: { kind: 'configure' } } });
    expect(readFileSync(cacheOf(root), 'utf8')).toBe(`${DOC}\n`);
    expect(statSync(cacheOf(root)).mode & 0o777).toBe(0o600);
    const second = await acquireVendorData(host, log, auto);
    expect(second).toMatchObject({ kind: 'parsed', source: { kind: 'cache', where: VENDOR_DATA_CACHE }, parse: { ok: true } });
    expect(state.requests).toBe(1);
  });

  it('does not cache `{}` (Nova’s "vendor service failed"): re-fetched within the bound, and the next run asks again', async () => {
    const root = makeTmpRoot();
    const { host, state } = await metadata(root, [200, '{"mlnx_sriov": {}}']);
    // Budget 1.5 s → bound 375 ms; random 0.5 → a first delay of 500 ms is cut to the bound: 2 fetches.
    expect(await acquireVendorData(host, log, auto)).toMatchObject({ parse: { ok: true, verdict: { kind: 'nothing', reason: 'empty' } }, empty: { fetches: 2 } });
    expect(state.requests).toBe(2);
    await acquireVendorData(host, log, auto);
    expect(state.requests).toBe(4);
    expect(() => statSync(cacheOf(root))).toThrow();
  });

  it('`{}` then the document within the bound: the document, cached', async () => {
    const root = makeTmpRoot();
    const { host, state } = await metadata(root, [200, '{"mlnx_sriov": {}, "static": {}}'], [200, DOC]);
    const result = await acquireVendorData(host, log, auto);
    expect(result).toMatchObject({ source: { kind: 'metadata' }, parse: { ok: true, verdict: { kind: 'configure' } } });
    expect(result).not.toHaveProperty('empty');
    expect(state.requests).toBe(2);
    expect(readFileSync(cacheOf(root), 'utf8')).toBe(`${DOC}\n`);
  });

  it('`{}` from the config drive is not re-read (the drive is written once)', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeMountRoot();
    linkDevice(root, makeDrive({ 'openstack/latest/vendor_data2.json': '{"mlnx_sriov": {}}' }, DRIVE_LABEL), 'config-2');
    const { host, state } = await metadata(root, [200, DOC]);
    const result = await acquireVendorData(host, log, auto);
    expect(result).toMatchObject({ source: { kind: 'config-drive' }, parse: { ok: true, verdict: { kind: 'nothing', reason: 'empty' } } });
    expect(result).not.toHaveProperty('empty');
    expect(state.requests).toBe(0);
  });

  it('caches a document that only fits the other layout, so the re-run with --guid-layout needs no second fetch', async () => {
    const root = makeTmpRoot();
    const { host, state } = await metadata(root, [200, PKEY_MAJOR]);
    const first = await acquireVendorData(host, log, auto);
    expect(first.kind === 'parsed' && !first.parse.ok && first.parse.errors[0]).toContain('--guid-layout pkey-major');
    const second = await acquireVendorData(host, log, { ...auto, layout: 'pkey-major' });
    expect(second).toMatchObject({ source: { kind: 'cache' }, parse: { ok: true, verdict: { kind: 'configure' } } });
    expect(state.requests).toBe(1);
  });

  it('ignores a corrupt cache with a warning and fetches', async () => {
    const root = makeTmpRoot({ [VENDOR_DATA_CACHE]: '{"mlnx_sriov": {"enable_sriov": tr' });
    const { host, state } = await metadata(root, [200, DOC]);
    expect(await acquireVendorData(host, log, auto)).toMatchObject({ source: { kind: 'metadata' }, parse: { ok: true } });
    expect(state.requests).toBe(1);
    expect(lines.some((line) => line.includes(`ignoring ${VENDOR_DATA_CACHE}`))).toBe(true);
  });

  it('--metadata-url bypasses the cache and refreshes it; --vendor-data neither reads nor writes it', async () => {
    const root = makeTmpRoot({ [VENDOR_DATA_CACHE]: '{"static": {}}' });
    const { host, state, base } = await metadata(root, [200, DOC]);
    const explicit = await acquireVendorData(host, log, { ...auto, metadataUrl: `${base}/openstack/latest/vendor_data2.json` });
    expect(explicit).toMatchObject({ source: { kind: 'metadata' }, parse: { ok: true, verdict: { kind: 'configure' } } });
    expect([state.requests, readFileSync(cacheOf(root), 'utf8')]).toEqual([1, `${DOC}\n`]);
    const file = join(root, 'mine.json');
    writeFileSync(file, '{"mlnx_sriov": {"enable_sriov": false}}');
    const fromFile = await acquireVendorData(host, log, { ...auto, vendorData: file });
    expect(fromFile).toMatchObject({ source: { kind: 'file', where: file }, parse: { ok: true, verdict: { kind: 'nothing', reason: 'disabled' } } });
    expect(readFileSync(cacheOf(root), 'utf8')).toBe(`${DOC}\n`);
  });

  it('404 → not served; nothing cached', async () => {
    const root = makeTmpRoot();
    const { host } = await metadata(root, [404, 'Not Found']);
    expect(await acquireVendorData(host, log, auto)).toMatchObject({ kind: 'not-served', source: { kind: 'metadata' } });
    expect(() => statSync(cacheOf(root))).toThrow();
  });

  it.each([
    [{ metadataUrl: 'http://x/', vendorData: 'f' }, '--metadata-url and --vendor-data'],
    [{ vendorData: 'f', configDrive: true }, '--vendor-data and --config-drive'],
  ])('refuses two sources at once as a usage error (%j)', async (options, names) => {
    const error = await acquireVendorData(createNodeHost(makeTmpRoot()), log, { ...auto, ...options }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`${names} name different sources: give at most one`);
  });

  it('--config-drive without a drive: exit-3 error', async () => {
    await expect(acquireVendorData(createNodeHost(makeTmpRoot()), log, { ...auto, configDrive: true })).rejects.toThrow(
      new InputUnavailableError('--config-drive: no filesystem labelled config-2 or CONFIG-2'),
    );
  });

  it('a config drive present wins over the metadata service (no network wait), and is cached', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeMountRoot();
    const device = makeDrive({ 'openstack/latest/vendor_data2.json': DOC }, DRIVE_LABEL);
    linkDevice(root, device, 'config-2');
    // The real mount table, so the log line can name the filesystem.
    symlinkSync('/proc', join(root, 'proc'));
    const { host, state } = await metadata(root, [200, '{}']);
    expect(await acquireVendorData(host, log, auto)).toMatchObject({ source: { kind: 'config-drive' }, parse: { ok: true, verdict: { kind: 'configure' } } });
    expect(lines).toContain(`vendor-data: from the config drive ${device}: label config-2, ext4, openstack/latest/vendor_data2.json, ${DOC.length} bytes`);
    expect(state.requests).toBe(0);
    expect(readFileSync(cacheOf(root), 'utf8')).toBe(`${DOC}\n`);
  });

  it('--dry-run: reads the config drive in a private dir in /run that is removed again; writes nothing in the state dir', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeMountRoot();
    linkDevice(root, makeDrive({ 'openstack/latest/vendor_data2.json': DOC }, DRIVE_LABEL), 'config-2');
    const { host } = await metadata(root, [200, '{}']);
    const made: string[] = [];
    const watched: Host = { ...host, files: { ...host.files, makeTempDir: async (parent, prefix) => made[made.push(await host.files.makeTempDir(parent, prefix)) - 1]! } };
    expect(await acquireVendorData(watched, log, { ...auto, dryRun: true })).toMatchObject({ source: { kind: 'config-drive' }, parse: { ok: true, verdict: { kind: 'configure' } } });
    expect(made).toEqual([expect.stringMatching(/^\/run\/guest-boot-agent-config-drive-\w{6}$/)]);
    expect(mountsUnder(root)).toEqual([]);
    expect(readdirSync(join(root, 'run'))).toEqual([]);
  });

  it('metadata failing for the whole budget while a config drive appears: uses the drive', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeMountRoot();
    const device = makeDrive({ 'openstack/latest/vendor_data2.json': DOC }, DRIVE_LABEL);
    const { host, state } = await metadata(root, [503, 'down']);
    setTimeout(() => linkDevice(root, device, 'config-2'), 300);
    // Attempts stop 1 s before the budget ends (minAttemptMs): 2.5 s leaves the drive time to appear.
    const result = await acquireVendorData(host, log, { ...auto, budgetMs: 2500 });
    expect(result).toMatchObject({ source: { kind: 'config-drive', where: device }, parse: { ok: true } });
    expect(state.requests).toBeGreaterThan(0);
  });

  it('metadata failing with no drive anywhere: the metadata error (exit 3)', async () => {
    const root = makeTmpRoot();
    const { host } = await metadata(root, [503, 'down']);
    await expect(acquireVendorData(host, log, { ...auto, budgetMs: 800 })).rejects.toThrow(/^vendor data unavailable: no document from http:\/\/169\.254\.169\.254\/openstack\/latest\/vendor_data2\.json within the [\d.]+ s budget .*last error: HTTP 503$/);
  });
});

describe('--vendor-data sources', () => {
  it('reads stdin for "-", and a path relative to the working directory (never under --root)', async () => {
    const cwd = makeTmpRoot({ '/doc.json': DOC });
    const input = createOperatorInput(() => Readable.from([Buffer.from(DOC.slice(0, 10)), Buffer.from(DOC.slice(10))]), cwd);
    expect(await readVendorDataFile({ input }, '-')).toBe(DOC);
    expect(await readVendorDataFile({ input }, 'doc.json')).toBe(DOC);
  });

  it.each([
    ['a missing file', () => Readable.from([]), 'missing.json', '--vendor-data missing.json: cannot read the document: ENOENT'],
    ['a directory', () => Readable.from([]), '.', '--vendor-data .: cannot read the document: EISDIR'],
    ['stdin over 1 MiB', () => Readable.from([Buffer.alloc(700_000, 32), Buffer.alloc(700_000, 32)]), '-', '--vendor-data stdin: cannot read the document: larger than 1048576 bytes, refused'],
  ])('%s → exit-3 error naming it', async (_name, stdin, path, message) => {
    const input = createOperatorInput(stdin, makeTmpRoot());
    await expect(readVendorDataFile({ input }, path)).rejects.toThrow(new InputUnavailableError(message));
  });

  it('mkdir of the state dir happens only on a write (reading a missing cache creates nothing)', async () => {
    const root = makeTmpRoot();
    mkdirSync(join(root, 'run'));
    const { host } = await metadata(root, [404, '']);
    await acquireVendorData(host, log, auto);
    expect(() => statSync(join(root, 'run/guest-boot-agent'))).toThrow();
  });
});
