// An in-memory sysfs/procfs: directories, attributes with kernel-like handlers, relative symlinks.
// Paths resolve component by component, following links physically, so `<link>/..` behaves as in the kernel.
import { HostError } from '../../src/host/host.js';

export interface Attr {
  kind: 'attr';
  /** Absent: the attribute is write-only (reading gives EACCES). May throw HostError or block. */
  read?: () => string | Promise<string>;
  /** Absent: read-only (opening for write gives EACCES). Receives the value as written. */
  write?: (value: string) => void | Promise<void>;
}
export interface Dir {
  kind: 'dir';
  children: Map<string, Node>;
}
export interface Link {
  kind: 'link';
  target: string;
}
export type Node = Attr | Dir | Link;

const MAX_HOPS = 40;

export class SysfsTree {
  readonly root: Dir = { kind: 'dir', children: new Map() };

  /** Creates the directory and its parents (through links). */
  mkdir(path: string): Dir {
    let dir = this.root;
    let prefix = '';
    for (const part of this.split(path)) {
      prefix += `/${part}`;
      let child: Node;
      try {
        child = this.node(prefix);
      } catch (error) {
        if (!(error instanceof HostError && error.code === 'ENOENT')) throw error;
        child = { kind: 'dir', children: new Map() };
        dir.children.set(part, child);
      }
      if (child.kind !== 'dir') throw new HostError('mkdir', path, 'ENOTDIR');
      dir = child;
    }
    return dir;
  }

  /** Adds (or replaces) an attribute; `value` makes a plain read-only attribute. */
  attr(path: string, attr: Omit<Attr, 'kind'> | string): void {
    const { dir, name } = this.parent(path);
    dir.children.set(name, typeof attr === 'string' ? { kind: 'attr', read: () => attr } : { kind: 'attr', ...attr });
  }

  link(path: string, target: string): void {
    const { dir, name } = this.parent(path);
    dir.children.set(name, { kind: 'link', target });
  }

  /** Removes the entry at `path` (not following a final link); missing is fine. */
  remove(path: string): void {
    const { dir, name } = this.parent(path);
    dir.children.delete(name);
  }

  /** Moves an entry within or across directories (used for interface renames). */
  rename(from: string, to: string): void {
    const source = this.parent(from);
    const node = source.dir.children.get(source.name);
    if (!node) throw new HostError('rename', from, 'ENOENT');
    source.dir.children.delete(source.name);
    const target = this.parent(to);
    target.dir.children.set(target.name, node);
  }

  /** The node at `path`, following every link; rejects ENOENT/ENOTDIR like the kernel. */
  node(path: string, followLast = true): Node {
    let parts = this.split(path);
    let current: string[] = [];
    let node: Node = this.root;
    for (let hops = 0; parts.length > 0; ) {
      const [part, ...rest] = parts as [string, ...string[]];
      parts = rest;
      if (part === '..') {
        current = current.slice(0, -1);
        node = this.walk(current, path);
        continue;
      }
      if (node.kind !== 'dir') throw new HostError('resolve', path, 'ENOTDIR');
      const child = node.children.get(part);
      if (!child) throw new HostError('resolve', path, 'ENOENT');
      if (child.kind === 'link' && (parts.length > 0 || followLast)) {
        if (++hops > MAX_HOPS) throw new HostError('resolve', path, 'ELOOP');
        const target = this.split(this.linkTarget(`/${[...current, part].join('/')}`, child));
        parts = [...target, ...parts];
        current = [];
        node = this.root;
        continue;
      }
      current = [...current, part];
      node = child;
    }
    return node;
  }

  exists(path: string): boolean {
    try {
      this.node(path);
      return true;
    } catch {
      return false;
    }
  }

  private walk(parts: string[], original: string): Node {
    let node: Node = this.root;
    for (const part of parts) {
      if (node.kind !== 'dir') throw new HostError('resolve', original, 'ENOTDIR');
      const child: Node | undefined = node.children.get(part);
      if (!child) throw new HostError('resolve', original, 'ENOENT');
      node = child;
    }
    return node;
  }

  /** An absolute, normalised form of a link's target (relative targets resolve against the link's directory). */
  private linkTarget(linkPath: string, link: Link): string {
    if (link.target.startsWith('/')) return link.target;
    const parts = this.split(linkPath).slice(0, -1);
    for (const part of this.split(link.target)) {
      if (part === '..') parts.pop();
      else if (part !== '.') parts.push(part);
    }
    return `/${parts.join('/')}`;
  }

  private parent(path: string): { dir: Dir; name: string } {
    const parts = this.split(path);
    const name = parts.pop();
    if (!name) throw new HostError('resolve', path, 'EINVAL');
    return { dir: this.mkdir(`/${parts.join('/')}`), name };
  }

  private split(path: string): string[] {
    return path.split('/').filter((part) => part !== '' && part !== '.');
  }
}
