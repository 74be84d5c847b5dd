// Maps kernel paths onto the --root tree, refusing anything that could escape it.
import { join } from 'node:path';
import { HostError } from './host.js';

/** `<root><kernelPath>`; rejects relative paths and `..` segments (a bug upstream, never input). */
export function underRoot(root: string, kernelPath: string): string {
  if (!kernelPath.startsWith('/') || kernelPath.split('/').some((part) => part === '..' || part === '.')) {
    throw new HostError('resolve', kernelPath, 'EINVAL', 'kernel paths must be absolute and normalised');
  }
  return root === '/' ? kernelPath : join(root, kernelPath);
}

/** Rewraps a Node fs error as a HostError that keeps its errno name. */
export function toHostError(op: string, kernelPath: string, error: unknown): HostError {
  if (error instanceof HostError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
  return new HostError(op, kernelPath, code, undefined, { cause: error });
}
