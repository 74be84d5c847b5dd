// Operator-named inputs (`--vendor-data <file|->`): read with a size cap, relative to the working directory.
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import type { OperatorInput } from './host.js';
import { HostError } from './host.js';

/** Operator input over stdin and the real filesystem (not --root: the operator names the path). `stdin` is a
 * getter because touching process.stdin opens it, which a run that never reads it must not do. */
export function createOperatorInput(stdin: () => NodeJS.ReadableStream, cwd: string = process.cwd()): OperatorInput {
  return {
    async read(path, maxBytes) {
      const name = path === '-' ? 'stdin' : path;
      // A stream, not readFile: a FIFO or /dev/stdin has no size to check first, and the cap must hold for those too.
      const stream = path === '-' ? stdin() : createReadStream(resolve(cwd, path));
      return readCapped(stream, maxBytes, name);
    },
  };
}

/** All of `stream`, or HostError EFBIG as soon as it passes `maxBytes`. */
async function readCapped(stream: NodeJS.ReadableStream, maxBytes: number, name: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > maxBytes) throw new HostError('read', name, 'EFBIG', `larger than ${maxBytes} bytes`);
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof HostError) throw error;
    throw new HostError('read', name, (error as NodeJS.ErrnoException).code ?? 'EIO', undefined, { cause: error });
  }
  return new Uint8Array(Buffer.concat(chunks));
}
