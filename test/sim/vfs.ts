// A tiny in-memory sysfs/procfs: directories, attribute files whose reads and writes run handlers, and symlinks
// with relative targets like the kernel's. Paths resolve component by component and follow links physically,
// so `<link>/..` is the target's parent, as on a real system. Failures are HostErrors with the errno the real
// filesystem gives (ENOENT, ENOTDIR, EISDIR, EACCES, EINVAL, ELOOP). Nothing here knows about qeth or PCI.
import { posix } from 'node:path';
import type { Clock } from '../../src/host/host.js';
import { HostError } from '../../src/host/host.js';
import { Errno } from './errno.js';
import { Faults, normalizePath } from './faults.js';

export interface AttrHandlers {
  /** Absent: write-only (mode 0200), opening for read gives EACCES. May be async, block, or throw an Errno. */
  read?: () => string | Promise<string>;
  /** Absent: read-only (mode 0444), opening for write gives EACCES. Receives the bytes exactly as written. */
  write?: (value: string) => void | Promise<void>;
}

interface Dir { kind: 'dir'; children: Map<string, Node> }
interface Attr extends AttrHandlers { kind: 'attr' }
interface Link { kind: 'link'; target: string }
type Node = Dir | Attr | Link;

/** One write(2) the vfs received, and the errno it failed with. */
export interface WriteRecord {
  path: string;
  value: string;
  errno?: string;
}

/** What lstat(2) would say about an entry: enough for a file system to give it a mode. */
export type EntryStat = { kind: 'dir' } | { kind: 'link'; target: string } | { kind: 'attr'; readable: boolean; writable: boolean };

const MAXSYMLINKS = 40;

export class Vfs {
  private readonly root: Dir = { kind: 'dir', children: new Map() };
  /** Every write, in arrival order, failed ones included (with their errno). */
  readonly writes: WriteRecord[] = [];

  constructor(
    private readonly clock: Clock,
    readonly faults: Faults = new Faults(),
  ) {}

  // ---- building the tree (kernel models) --------------------------------------------------------------------
  /** Creates the directory and any missing parents (following links on the way). */
  mkdir(path: string): void {
    const { node } = this.walk(path, 'mkdir', { followLast: true, create: true });
    if (node.kind !== 'dir') throw new HostError('mkdir', path, 'ENOTDIR');
  }

  /** Adds or replaces an attribute; a string makes a constant read-only one. */
  attr(path: string, handlers: AttrHandlers | string): void {
    const attr: Attr = typeof handlers === 'string' ? { kind: 'attr', read: () => handlers } : { kind: 'attr', ...handlers };
    this.parentDir(path).dir.children.set(posix.basename(path), attr);
  }

  /** Adds or replaces a symlink; `target` is stored as given (relative targets resolve from the link's directory). */
  symlink(path: string, target: string): void {
    this.parentDir(path).dir.children.set(posix.basename(path), { kind: 'link', target });
  }

  /** Removes the entry and everything under it; a final link is removed, not followed. Missing is fine. */
  remove(path: string): void {
    const parent = this.tryWalk(posix.dirname(path));
    if (parent?.kind === 'dir') parent.children.delete(posix.basename(path));
  }

  /** Moves an entry (an interface rename moves its directory). */
  rename(from: string, to: string): void {
    const source = this.parentDir(from);
    const node = source.dir.children.get(posix.basename(from));
    if (!node) throw new HostError('rename', from, 'ENOENT');
    source.dir.children.delete(posix.basename(from));
    this.parentDir(to).dir.children.set(posix.basename(to), node);
  }

  // ---- system calls (what the host exposes) -----------------------------------------------------------------
  /** The attribute's whole content, newline included, as read(2) returns it. */
  async read(path: string): Promise<string> {
    return this.syscall('read', path, async () => {
      const node = this.resolve(path, 'read');
      if (node.kind === 'dir') throw new HostError('read', path, 'EISDIR');
      if (node.kind !== 'attr' || !node.read) throw new HostError('read', path, 'EACCES', 'write-only attribute');
      return node.read();
    });
  }

  /** One write(2) of `value` at offset 0; attributes cannot be created, so a missing one is ENOENT. */
  async write(path: string, value: string): Promise<void> {
    const record: WriteRecord = { path, value };
    this.writes.push(record);
    try {
      await this.syscall('write', path, async () => {
        const node = this.resolve(path, 'write');
        if (node.kind === 'dir') throw new HostError('write', path, 'EISDIR');
        if (node.kind !== 'attr' || !node.write) throw new HostError('write', path, 'EACCES', 'read-only attribute');
        await node.write(value);
      });
    } catch (error) {
      record.errno = error instanceof HostError ? error.code : 'EFAULT';
      throw error;
    }
  }

  async readlink(path: string): Promise<string> {
    return this.syscall('readlink', path, async () => {
      const { node } = this.walk(path, 'readlink', { followLast: false });
      if (node.kind !== 'link') throw new HostError('readlink', path, 'EINVAL', 'not a symlink');
      return node.target;
    });
  }

  /** Entry names, sorted. */
  async list(path: string): Promise<string[]> {
    return this.syscall('list', path, async () => {
      const node = this.resolve(path, 'list');
      if (node.kind !== 'dir') throw new HostError('list', path, 'ENOTDIR');
      return [...node.children.keys()].sort();
    });
  }

  /** stat(2) succeeds: false for ENOENT/ENOTDIR, other errors (ELOOP) throw as they would from stat. */
  exists(path: string): boolean {
    try {
      this.resolve(path, 'stat');
      return true;
    } catch (error) {
      if (error instanceof HostError && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return false;
      throw error;
    }
  }

  /** lstat(2) for a file-system front end (test/fuse serves this tree through FUSE): what is at `path`, a final
   * link not followed. Throws ENOENT/ENOTDIR/ELOOP as a lookup would. */
  lstat(path: string): EntryStat {
    const { node } = this.walk(path, 'stat', { followLast: false });
    if (node.kind === 'dir') return { kind: 'dir' };
    if (node.kind === 'link') return { kind: 'link', target: node.target };
    return { kind: 'attr', readable: node.read !== undefined, writable: node.write !== undefined };
  }

  /** The physical path, every link resolved (realpath(3)). */
  realpath(path: string): string {
    return `/${this.walk(path, 'realpath', { followLast: true }).at.join('/')}`;
  }

  // ---- internals --------------------------------------------------------------------------------------------
  /** Injected faults and latency first (matched on the given or the physical path), then the operation; a model's
   * Errno is re-labelled with the caller's op and path so messages read like the real host's. */
  private async syscall<T>(op: string, path: string, run: () => Promise<T>): Promise<T> {
    const names = [normalizePath(path), this.tryRealpath(path)];
    const errno = this.faults.take(op, names);
    if (errno) throw new HostError(op, path, errno, 'injected');
    const ms = this.faults.delay(op, names);
    if (ms > 0) await this.clock.sleep(ms);
    try {
      return await run();
    } catch (error) {
      if (error instanceof Errno) throw new HostError(op, path, error.code, error.detail, { cause: error });
      throw error;
    }
  }

  private resolve(path: string, op: string): Node {
    return this.walk(path, op, { followLast: true }).node;
  }

  private tryWalk(path: string): Node | undefined {
    try {
      return this.resolve(path, 'stat');
    } catch {
      return undefined;
    }
  }

  private tryRealpath(path: string): string | undefined {
    try {
      return this.realpath(path);
    } catch {
      return undefined;
    }
  }

  private parentDir(path: string): { dir: Dir } {
    const { node } = this.walk(posix.dirname(path), 'mkdir', { followLast: true, create: true });
    if (node.kind !== 'dir') throw new HostError('mkdir', path, 'ENOTDIR');
    return { dir: node };
  }

  /** Component-by-component lookup. `at` is the physical path of the node reached; a link's target is spliced in
   * front of the remaining components and resolved from the link's directory (or the root, if absolute). */
  private walk(path: string, op: string, options: { followLast: boolean; create?: boolean }): { node: Node; at: string[] } {
    let pending = split(path);
    let at: string[] = [];
    let node: Node = this.root;
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (node.kind !== 'dir') throw new HostError(op, path, 'ENOTDIR');
      if (part === '..') {
        at = at.slice(0, -1);
        node = this.physical(at);
        continue;
      }
      let child = node.children.get(part);
      if (!child) {
        if (!options.create) throw new HostError(op, path, 'ENOENT');
        child = { kind: 'dir', children: new Map() };
        node.children.set(part, child);
      }
      if (child.kind === 'link' && (pending.length > 0 || options.followLast)) {
        if (++links > MAXSYMLINKS) throw new HostError(op, path, 'ELOOP');
        if (child.target.startsWith('/')) [at, node] = [[], this.root];
        pending = [...split(child.target), ...pending];
        continue;
      }
      at = [...at, part];
      node = child;
    }
    return { node, at };
  }

  /** The node at a physical path (no links on it by construction). */
  private physical(parts: readonly string[]): Node {
    let node: Node = this.root;
    for (const part of parts) node = (node as Dir).children.get(part)!;
    return node;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}
