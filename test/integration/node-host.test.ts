// The production host against the real thing: a temp root, real processes, a real loopback server.
import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/host/host.js';
import { createNodeHost } from '../../src/host/node-host.js';
import { makeTmpRoot } from '../helpers/tmp-root.js';

describe('sysfs under --root', () => {
  it('reads an attribute without its trailing newline and lists sorted', async () => {
    const root = makeTmpRoot({ '/sys/a/online': '1\n', '/sys/a/b': '', '/sys/a/a': '' });
    const host = createNodeHost(root);
    expect(await host.sysfs.read('/sys/a/online')).toBe('1');
    expect(await host.sysfs.list('/sys/a')).toEqual(['a', 'b', 'online']);
  });

  it('keeps errno: ENOENT on a missing attribute, and a write never creates one', async () => {
    const root = makeTmpRoot({ '/sys/x': '' });
    const host = createNodeHost(root);
    await expect(host.sysfs.read('/sys/missing')).rejects.toMatchObject({ code: 'ENOENT', op: 'read' });
    await expect(host.sysfs.write('/sys/missing', '1')).rejects.toMatchObject({ code: 'ENOENT', op: 'write' });
    expect(await host.sysfs.exists('/sys/missing')).toBe(false);
  });

  it('keeps errno: ENOTDIR for a path through a file', async () => {
    const root = makeTmpRoot({ '/sys/file': 'x' });
    const host = createNodeHost(root);
    await expect(host.sysfs.read('/sys/file/child')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('writes the value in one write at offset 0, without truncating (sysfs ignores the size)', async () => {
    const root = makeTmpRoot({ '/sys/attr': '0\n' });
    await createNodeHost(root).sysfs.write('/sys/attr', '1');
    expect(readFileSync(join(root, '/sys/attr'), 'utf8')).toBe('1\n');
  });

  // A first read shorter than a page is the whole of a sysfs attribute; a /proc file is read to its end.
  it.each([
    ['/proc/cio_ignore', 9000],
    ['/sys/long', 9000],
    ['/sys/page', 4096],
  ])('reads %s whole when it is a page or longer (%i bytes)', async (path, size) => {
    const text = 'x'.repeat(size - 1) + '\n';
    const root = makeTmpRoot({ [path]: text });
    expect(await createNodeHost(root).sysfs.read(path)).toBe(text.slice(0, -1));
  });

  it('follows relative symlinks and reads them back as stored', async () => {
    const root = makeTmpRoot({ '/sys/devices/qeth/0.0.0001/online': '0\n' }, { '/sys/bus/ccwgroup/devices/0.0.0001': '../../../devices/qeth/0.0.0001' });
    const host = createNodeHost(root);
    expect(await host.sysfs.readlink('/sys/bus/ccwgroup/devices/0.0.0001')).toBe('../../../devices/qeth/0.0.0001');
    expect(await host.sysfs.read('/sys/bus/ccwgroup/devices/0.0.0001/online')).toBe('0');
  });

  it.each(['relative/path', '/sys/../etc/passwd', '/sys/./x'])('refuses the non-normalised path %s', async (path) => {
    const host = createNodeHost(makeTmpRoot());
    await expect(host.sysfs.read(path)).rejects.toBeInstanceOf(HostError);
  });
});

describe('files', () => {
  it('writes atomically with the mode asked for, creating parents; read gives undefined when absent', async () => {
    const root = makeTmpRoot();
    const host = createNodeHost(root);
    expect(await host.files.read('/run/guest-boot-agent/x.json')).toBeUndefined();
    await host.files.writeAtomic('/run/guest-boot-agent/x.json', '{"a":1}', 0o600);
    expect(await host.files.read('/run/guest-boot-agent/x.json')).toBe('{"a":1}');
    expect(statSync(join(root, '/run/guest-boot-agent/x.json')).mode & 0o777).toBe(0o600);
  });

  it('gives the exact mode under a restrictive umask, and a failed write leaves the old state and no temp file', async () => {
    const root = makeTmpRoot({ '/run/guest-boot-agent/qeth.json': 'old', '/run/guest-boot-agent/sriov.json/keep': '' });
    const host = createNodeHost(root);
    const previous = process.umask(0o077);
    try {
      await host.files.writeAtomic('/run/guest-boot-agent/qeth.json', 'new', 0o644);
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(root, '/run/guest-boot-agent/qeth.json')).mode & 0o777).toBe(0o644);
    // A directory where the file should go: the rename fails, and nothing is left behind.
    await expect(host.files.writeAtomic('/run/guest-boot-agent/sriov.json', 'x')).rejects.toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(join(root, '/run/guest-boot-agent')).sort()).toEqual(['qeth.json', 'sriov.json']);
    expect(await host.files.read('/run/guest-boot-agent/qeth.json')).toBe('new');
  });
});

describe('exec', () => {
  it('runs a real program with an argument array, no shell: metacharacters stay literal', async () => {
    const host = createNodeHost('/');
    const result = await host.exec('printf', ['%s|', 'a b', '$(id)', ';rm -rf /'], { timeoutMs: 5000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'a b|$(id)|;rm -rf /|' });
  });

  it('resolves non-zero exit codes with stderr', async () => {
    const root = makeTmpRoot({ '/bin/fails': '#!/bin/sh\necho "Cannot find device \\"eth9\\"" >&2\nexit 1\n' });
    chmodSync(join(root, '/bin/fails'), 0o755);
    const result = await createNodeHost('/').exec(join(root, '/bin/fails'), [], { timeoutMs: 5000 });
    expect(result).toMatchObject({ exitCode: 1, stderr: 'Cannot find device "eth9"' });
  });

  it('rejects ENOENT for a missing program and ETIMEDOUT for a hung one', async () => {
    const host = createNodeHost('/');
    await expect(host.exec('no-such-program-gba', [], { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(host.exec('sleep', ['10'], { timeoutMs: 200 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  // Under load execa 8 now and then reports its own timeout kill with timedOut unset (about 1 in 200 here).
  it('says ETIMEDOUT for every one of 60 programs that hang at once', async () => {
    const host = createNodeHost('/');
    const codes = await Promise.all(Array.from({ length: 60 }, () => host.exec('sleep', ['10'], { timeoutMs: 200 }).then(() => 'ran', (error: HostError) => error.code)));
    expect(new Set(codes)).toEqual(new Set(['ETIMEDOUT']));
  });
});

describe('http', () => {
  it('returns status and body, does not follow redirects, and caps the body', async () => {
    const server = createServer((request, response) => {
      if (request.url === '/redirect') return void response.writeHead(302, { location: 'http://example.invalid/' }).end();
      if (request.url === '/big') return void response.end(Buffer.alloc(4096, 65));
      response.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const host = createNodeHost('/');
      const signal = AbortSignal.timeout(5000);
      const ok = await host.http.get(`${base}/`, { signal, maxBytes: 1024 });
      expect([ok.status, Buffer.from(ok.body).toString()]).toEqual([200, '{"ok":true}']);
      expect((await host.http.get(`${base}/redirect`, { signal, maxBytes: 1024 })).status).toBe(302);
      await expect(host.http.get(`${base}/big`, { signal, maxBytes: 1024 })).rejects.toMatchObject({ code: 'EFBIG' });
      await expect(host.http.get('file:///etc/passwd', { signal, maxBytes: 1024 })).rejects.toMatchObject({ code: 'EPROTO' });
    } finally {
      server.close();
    }
  });
});
