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
      try {
        return (await fs.readFile(at(path), 'utf8')).replace(/\n$/, '');
      } catch (error) {
        throw toHostError('read', path, error);
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
      // O_WRONLY|O_TRUNC as `echo >` opens it, but without O_CREAT: a missing attribute must fail with ENOENT, not
      // become a new file; and one write(2) at offset 0, as sysfs stores expect.
      let handle: fs.FileHandle | undefined;
      try {
        handle = await fs.open(at(path), constants.O_WRONLY | constants.O_TRUNC);
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
