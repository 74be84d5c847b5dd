// One HTTP GET with an abort signal and a body size cap; redirects are returned, not followed. URLs are parsed by
// lib/http-url (WHATWG URL with the IPv6 zone id taken off and put back) so a zone reaches node:http as a scoped `host`.
import type { IncomingMessage } from 'node:http';
import { formatHttpUrl, hostHeader, parseHttpUrl } from '../lib/http-url.js';
import { VERSION } from '../version.js';
import type { HttpGetOptions, HttpResponse } from './host.js';
import { HostError } from './host.js';

/** GET `url` (http or https). Rejects HostError: EPROTO for other schemes, EINVAL for a malformed URL, EFBIG past
 * maxBytes, ETIMEDOUT once the signal aborted, ECONNRESET for a truncated body, or the socket errno. */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  const scheme = url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') throw new HostError('http', url, 'EPROTO', 'only http and https');
  const parsed = parseHttpUrl(url);
  if (!parsed.ok) throw new HostError('http', url, 'EINVAL', parsed.reason);
  const target = parsed.url;
  if (options.signal.aborted) throw new HostError('http', url, 'ETIMEDOUT', 'aborted before the request');
  const client = target.scheme === 'https' ? await import('node:https') : await import('node:http');
  return new Promise<HttpResponse>((resolve, reject) => {
    // After an abort every later failure is the abort's consequence: report it as the timeout it is.
    const fail = (code: string, detail?: string, cause?: unknown) =>
      reject(new HostError('http', url, options.signal.aborted ? 'ETIMEDOUT' : code, detail, { cause }));
    const request = client.request(
      {
        method: 'GET',
        host: target.host,
        port: target.port,
        path: target.path,
        family: target.ipv6 ? 6 : undefined,
        headers: { host: hostHeader(target), accept: 'application/json', 'user-agent': `guest-boot-agent/${VERSION}` },
        signal: options.signal,
        // A fresh connection per attempt: a pooled socket the server has since dropped would only fail the retry.
        agent: false,
      },
      (response: IncomingMessage) => collect(response, options.maxBytes, request.destroy.bind(request), fail, resolve),
    );
    request.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'EIO', error.message, error));
    request.end();
  }).catch((error: unknown) => {
    throw error instanceof HostError ? error : new HostError('http', formatHttpUrl(target), 'EIO', String(error), { cause: error });
  });
}

/** Reads the body up to `maxBytes`; a connection that closes before the announced end is a truncation. */
function collect(
  response: IncomingMessage,
  maxBytes: number,
  destroy: () => void,
  fail: (code: string, detail?: string, cause?: unknown) => void,
  resolve: (response: HttpResponse) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      // Reject first: destroying the request makes the response emit errors that must not win.
      fail('EFBIG', `body larger than ${maxBytes} bytes`);
      destroy();
      return;
    }
    chunks.push(chunk);
  });
  response.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ECONNRESET', error.message, error));
  response.on('close', () => {
    if (!response.complete) fail('ECONNRESET', 'truncated body');
  });
  response.on('end', () => {
    if (!response.complete) return fail('ECONNRESET', 'truncated body');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    resolve({ status: response.statusCode ?? 0, headers, body: new Uint8Array(Buffer.concat(chunks)) });
  });
}
