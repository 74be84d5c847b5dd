// Ordinary files under a root: state files, the vendor-data cache, /proc/cmdline.
import { promises as fs } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { FilesWriter } from './host.js';
import { toHostError, underRoot } from './paths.js';
import { replaceFile } from './replace-file.js';

/** File access for one root directory; writes are atomic (temp + fsync + rename). */
export function createFiles(root: string): FilesWriter {
  const at = (path: string) => underRoot(root, path);
  return {
    async read(path) {
      try {
        return await fs.readFile(at(path), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw toHostError('read', path, error);
      }
    },
    async writeAtomic(path, data, mode = 0o644) {
      const target = at(path);
      try {
        await fs.mkdir(dirname(target), { recursive: true, mode: 0o755 });
        await replaceFile(fs, target, data, mode);
      } catch (error) {
        throw toHostError('write', path, error);
      }
    },
    async makeTempDir(parent, prefix) {
      try {
        await fs.mkdir(at(parent), { recursive: true, mode: 0o755 });
        // mkdtemp creates the directory 0700 and with an unpredictable name: nobody else can pre-create or enter it.
        const made = await fs.mkdtemp(`${at(parent)}/${prefix}`);
        return `${parent.replace(/\/$/, '')}/${basename(made)}`;
      } catch (error) {
        throw toHostError('mkdtemp', parent, error);
      }
    },
    async removeDir(path) {
      try {
        await fs.rmdir(at(path));
      } catch (error) {
        throw toHostError('rmdir', path, error);
      }
    },
    hostPath: at,
  };
}
