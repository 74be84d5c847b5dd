// The host half of the s390x boots' results disk, against archives made by the host's real tar (GNU tar writes
// the same ustar headers busybox does): what is read back, and every way a disk is refused.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConsole } from '../lib-s390x/console.js';
import { RESULTS_SECTORS, readResults, readTar } from '../lib-s390x/results-disk.js';

const work = mkdtempSync(join(tmpdir(), 'gba-results-disk-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A disk image holding a tar of `files` at block 0, as the guest's dd leaves it; and the tar's length and md5. */
function disk(files: Record<string, string>, format: 'gnu' | 'ustar' = 'gnu'): { path: string; bytes: number; md5: string } {
  const dir = mkdtempSync(join(work, 'out-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const tar = execFileSync('tar', [`--format=${format}`, '-cf', '-', '-C', dir, ...Object.keys(files)]);
  const image = Buffer.alloc(RESULTS_SECTORS * 512);
  tar.copy(image);
  const path = join(dir, 'disk.img');
  writeFileSync(path, image);
  return { path, bytes: tar.length, md5: createHash('md5').update(tar).digest('hex') };
}

const FILES = { 'qeth-1.rc': '1\n', 'qeth-1.secs': '9.52\n', 'qeth-1.out': '{"exitCode":1}\n', 'dmesg.txt': 'x'.repeat(1500) };
const console = (bytes: number, md5: string, steps = 'GBA STEP qeth-1 rc 1 secs 9.52') => parseConsole(`noise\r\n${steps}\nHHC00000I GBA RESULTS bytes ${bytes} md5 ${md5} rc 0\nGBA DONE\n`);

describe('the results disk', () => {
  it('reads back every file and each step exit and time, in both tar formats', () => {
    for (const format of ['gnu', 'ustar'] as const) {
      const { path, bytes, md5 } = disk(FILES, format);
      const results = readResults(path, console(bytes, md5));
      expect(Object.fromEntries([...results.files].map(([name, data]) => [name, data.toString('utf8')]))).toEqual(FILES);
      expect(results.steps.get('qeth-1')).toEqual({ rc: 1, secs: 9.52 });
    }
  });

  it('refuses an empty disk, a disk whose tar is not the one announced, and a missing announcement', () => {
    const { path, bytes, md5 } = disk(FILES);
    const empty = join(work, 'empty.img');
    writeFileSync(empty, Buffer.alloc(RESULTS_SECTORS * 512));
    expect(() => readResults(empty, console(bytes, md5))).toThrow(/does not hold what the guest wrote/);
    expect(() => readTar(Buffer.alloc(4096))).toThrow(/no ustar header at byte 0: the guest wrote no results/);
    expect(() => readResults(path, console(bytes, '0'.repeat(32)))).toThrow(/does not hold what the guest wrote/);
    expect(() => readResults(path, parseConsole('GBA DONE\n'))).toThrow(/never said it wrote its results/);
    expect(() => readResults(join(work, 'missing.img'), console(bytes, md5))).toThrow(/cannot be read/);
  });

  it('refuses a header whose checksum is wrong', () => {
    const { path } = disk(FILES);
    const image = readFileSync(path);
    image[10] = image[10]! ^ 0x01;
    expect(() => readTar(image)).toThrow(/tar header at byte 0: checksum/);
  });

  it('fails when a step exit on the console differs from the disk, or is on one only', () => {
    const { path, bytes, md5 } = disk(FILES);
    expect(() => readResults(path, console(bytes, md5, 'GBA STEP qeth-1 rc 0 secs 9.52'))).toThrow(/qeth-1: console 0, disk 1/);
    expect(() => readResults(path, console(bytes, md5, 'GBA STEP qeth-1 rc 1 secs 9.52\nGBA STEP qeth-2 rc 0 secs 1.00'))).toThrow(/qeth-2: console 0, disk none/);
    expect(() => readResults(path, console(bytes, md5, ''))).toThrow(/qeth-1: console none, disk 1/);
  });

  it('on a shared console (stepsOnConsole: none) a step may be missing there, but one that is there must agree', () => {
    const { path, bytes, md5 } = disk(FILES);
    expect(readResults(path, console(bytes, md5, ''), { stepsOnConsole: 'none' }).steps.get('qeth-1')?.rc).toBe(1);
    expect(() => readResults(path, console(bytes, md5, 'GBA STEP qeth-1 rc 0 secs 9.52'), { stepsOnConsole: 'none' })).toThrow(/qeth-1: console 0, disk 1/);
    expect(() => readResults(path, console(bytes, '0'.repeat(32), ''), { stepsOnConsole: 'none' })).toThrow(/does not hold what the guest wrote/);
  });

  it('keeps names under a directory and skips what is not a regular file', () => {
    const dir = mkdtempSync(join(work, 'tree-'));
    mkdirSync(join(dir, 'journal'));
    writeFileSync(join(dir, 'journal/units.txt'), 'a\n');
    const tar = execFileSync('tar', ['-cf', '-', '-C', dir, 'journal']);
    const files = readTar(Buffer.concat([tar, Buffer.alloc(1024)]));
    expect([...files.keys()]).toEqual(['journal/units.txt']);
  });
});
