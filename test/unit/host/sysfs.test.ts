// createSysfs on a real directory tree (a --root of plain files): what a read returns, however long the file, and
// which errno a failure keeps. The short-first-read rule for /sys is exercised against the kernel model through FUSE.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostError } from '../../../src/host/host.js';
import { createSysfs } from '../../../src/host/sysfs.js';

const root = mkdtempSync(join(tmpdir(), 'gba-sysfs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'sys/bus/ccw/devices/0.0.0600'), { recursive: true });
mkdirSync(join(root, 'proc'));
const sysfs = createSysfs(root);

/** n lines of `0.0.xxxx` (9 bytes each with the newline): longer than a page from n = 456 on. */
const ranges = (n: number) => Array.from({ length: n }, (_, i) => `0.0.${i.toString(16).padStart(4, '0')}`).join('\n');

describe('createSysfs', () => {
  it('reads an attribute without its one trailing newline', async () => {
    writeFileSync(join(root, 'sys/bus/ccw/devices/0.0.0600/cutype'), '1731/01\n');
    expect(await sysfs.read('/sys/bus/ccw/devices/0.0.0600/cutype')).toBe('1731/01');
  });

  it.each([
    ['/proc/cio_ignore', 1000],
    ['/sys/bus/ccw/devices/0.0.0600/long', 1000],
    ['/sys/bus/ccw/devices/0.0.0600/page', 4096 / 9],
  ])('reads %s whole when it is longer than a page (%i lines)', async (path, lines) => {
    const text = `${ranges(Math.ceil(lines))}\n`;
    writeFileSync(join(root, path), text);
    expect(await sysfs.read(path)).toBe(text.slice(0, -1));
  });

  it('reads a file of exactly one page whole (a full first read is not taken for the end)', async () => {
    const text = 'x'.repeat(4096);
    writeFileSync(join(root, 'sys/bus/ccw/devices/0.0.0600/exact'), text);
    expect(await sysfs.read('/sys/bus/ccw/devices/0.0.0600/exact')).toBe(text);
  });

  it('keeps the errno of a failed read, with the path asked for', async () => {
    const error = await sysfs.read('/sys/bus/ccw/devices/0.0.0601/cutype').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostError);
    expect(error).toMatchObject({ code: 'ENOENT', path: '/sys/bus/ccw/devices/0.0.0601/cutype' });
    expect(await sysfs.read('/sys/bus/ccw/devices/0.0.0600').catch((e: unknown) => (e as HostError).code)).toBe('EISDIR');
  });

  it('writes an attribute from offset 0 without truncating it (sysfs ignores the size), and never creates one', async () => {
    const path = '/sys/bus/ccw/devices/0.0.0600/online';
    writeFileSync(join(root, path), '0\n');
    await sysfs.write(path, '1');
    expect(readFileSync(join(root, path), 'utf8')).toBe('1\n');
    expect(await sysfs.write('/sys/bus/ccw/devices/0.0.0600/nosuch', '1').catch((e: unknown) => (e as HostError).code)).toBe('ENOENT');
  });
});
