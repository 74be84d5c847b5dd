// writeText and isCharacterDevice on real descriptors: a FIFO opened non-blocking (so a full pipe answers EAGAIN),
// a pipe whose reader is gone (EPIPE), a closed descriptor, /dev/null and a regular file.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCharacterDevice, writeText } from '../../src/host/stdio.js';

/** Above any RLIMIT_NOFILE: EBADF for sure (a just-closed number could be reused by another test meanwhile). */
const NEVER_OPEN = 1 << 30;

/** A fresh FIFO in a temp directory. */
function makeFifo(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gba-stdio-')), 'fifo');
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo: ${made.stderr}`);
  return path;
}

describe('writeText', () => {
  it('writes every byte through a non-blocking pipe that fills up (EAGAIN), waiting for the reader', async () => {
    const fifo = makeFifo();
    const sink = join(fifo, '..', 'received');
    // A reader in another process: 1 MiB does not fit the 64 KiB pipe, so writes meet EAGAIN until dd catches up.
    const reader = spawn('dd', [`if=${fifo}`, `of=${sink}`, 'bs=4096'], { stdio: 'ignore' });
    const fd = await openWhenReaderIsThere(fifo);
    const text = 'x'.repeat(1 << 20) + 'é\n';
    try {
      writeText(fd, text);
    } finally {
      closeSync(fd);
    }
    const code = await new Promise((resolve) => reader.on('close', resolve));
    expect(code).toBe(0);
    expect(readFileSync(sink, 'utf8') === text).toBe(true);
  });

  it('returns quietly when the reader has gone (EPIPE) or the descriptor is closed (EBADF)', () => {
    const fifo = makeFifo();
    const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeEnd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    closeSync(readEnd);
    expect(() => writeText(writeEnd, 'nobody reads this\n')).not.toThrow();
    closeSync(writeEnd);
    expect(() => writeText(NEVER_OPEN, 'closed\n')).not.toThrow();
  });

  it('appends to a regular file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gba-stdio-')), 'log');
    writeFileSync(path, '');
    const fd = openSync(path, 'a');
    writeText(fd, 'one\n');
    writeText(fd, 'two\n');
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe('one\ntwo\n');
  });
});

describe('isCharacterDevice', () => {
  it('is true for /dev/null, false for a regular file and for a descriptor that is not open', () => {
    const devNull = openSync('/dev/null', 'w');
    const path = join(mkdtempSync(join(tmpdir(), 'gba-stdio-')), 'file');
    writeFileSync(path, '');
    const file = openSync(path, 'r');
    expect([isCharacterDevice(devNull), isCharacterDevice(file)]).toEqual([true, false]);
    closeSync(devNull);
    closeSync(file);
    expect(isCharacterDevice(NEVER_OPEN)).toBe(false);
  });
});

/** Opens the FIFO's write end non-blocking once a reader has it open (before that, open says ENXIO). */
async function openWhenReaderIsThere(fifo: string): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    try {
      return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error(`no reader opened ${fifo} within 5 s`);
}
