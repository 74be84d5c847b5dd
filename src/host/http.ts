// One HTTP GET with an abort signal and a body size cap; redirects are returned, not followed.
import type { IncomingMessage } from 'node:http';
import type { HttpGetOptions, HttpResponse } from './host.js';
import { HostError } from './host.js';

/** GET `url` (http or https). Rejects HostError: EPROTO for other schemes, EFBIG past maxBytes, or the socket errno. */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  const scheme = url.slice(0, url.indexOf(':'));
  if (scheme !== 'http' && scheme !== 'https') throw new HostError('http', url, 'EPROTO', 'only http and https');
  const client = scheme === 'https' ? await import('node:https') : await import('node:http');
  return new Promise<HttpResponse>((resolve, reject) => {
    const fail = (code: string, detail?: string, cause?: unknown) =>
      reject(new HostError('http', url, code, detail, { cause }));
    const request = client.get(url, { signal: options.signal }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          // Reject first: destroying the response emits 'aborted', which must not win.
          fail('EFBIG', `body larger than ${options.maxBytes} bytes`);
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on('aborted', () => fail('ECONNRESET', 'response aborted'));
      response.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'EIO', error.message, error));
      response.on('end', () => {
        if (!response.complete) return fail('ECONNRESET', 'truncated body');
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({ status: response.statusCode ?? 0, headers, body: new Uint8Array(Buffer.concat(chunks)) });
      });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = options.signal.aborted ? 'ETIMEDOUT' : (error.code ?? 'EIO');
      fail(code, error.message, error);
    });
  });
}
