// Kernel attribute files (/sys, /proc) under a root, with the errno kept on every failure.
import { constants, promises as fs } from 'node:fs';
import type { SysfsWriter } from './host.js';
import { HostError } from './host.js';
import { toHostError, underRoot } from './paths.js';

/** sysfs/procfs access for one root directory. */
export function createSysfs(root: string): SysfsWriter {
  const at = (path: string) => underRoot(root, path);
  return {
    async read(path) {
      let handle: fs.FileHandle | undefined;
      try {
        handle = await fs.open(at(path), constants.O_RDONLY);
        return (await readAll(handle, path.startsWith('/sys/'))).replace(/\n$/, '');
      } catch (error) {
        throw toHostError('read', path, error);
      } finally {
        await handle?.close().catch(() => undefined);
      }
    },
    async readlink(path) {
      try {
        return await fs.readlink(at(path));
      } catch (error) {
        throw toHostError('readlink', path, error);
      }
    },
    async list(path) {
      try {
        return (await fs.readdir(at(path))).sort();
      } catch (error) {
        throw toHostError('list', path, error);
      }
    },
    async exists(path) {
      try {
        await fs.stat(at(path));
        return true;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return false;
        throw toHostError('stat', path, error);
      }
    },
    async write(path, value) {
      // O_WRONLY only, as systemd writes sysfs: no O_CREAT (a missing attribute must fail with ENOENT, not become a
      // new file), and no O_TRUNC: sysfs ignores the size, and a truncating open takes the inode lock exclusively, so
      // on a file system whose writes hold it shared (FUSE with parallel direct writes) each open waited for every
      // write in flight to the same file (measured: 15 of 16 VF binds to mlx5_core/bind waited one probe). Then one
      // write(2) at offset 0, as sysfs stores expect. (A --root of plain files is overwritten, not truncated.)
      let handle: fs.FileHandle | undefined;
      try {
        handle = await fs.open(at(path), constants.O_WRONLY);
        const bytes = Buffer.from(value);
        const { bytesWritten } = await handle.write(bytes, 0, bytes.length, null);
        if (bytesWritten !== bytes.length) {
          throw new HostError('write', path, 'EIO', `short write ${bytesWritten}/${bytes.length}`);
        }
      } catch (error) {
        throw toHostError('write', path, error);
      } finally {
        await handle?.close().catch(() => undefined);
      }
    },
  };
}

/** The first read(2) asks for a page: sysfs fills an attribute (at most a page) whole on the first read, so a shorter
 * answer is all of it. That is one open, one read and one close per attribute, where readFile adds an fstat and a
 * read that returns 0: each a round trip through libuv's pool, hundreds of them on an LPAR with many devices.
 * procfs files (seq_file: /proc/cio_ignore can exceed a page, and a short read is not its end) are read to EOF. */
const PAGE = 4096;

async function readAll(handle: fs.FileHandle, wholeOnFirstRead: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  for (;;) {
    const buffer = Buffer.allocUnsafe(PAGE);
    const { bytesRead } = await handle.read(buffer, 0, PAGE, null);
    if (bytesRead > 0) chunks.push(buffer.subarray(0, bytesRead));
    if (bytesRead === 0 || (wholeOnFirstRead && chunks.length === 1 && bytesRead < PAGE)) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}
