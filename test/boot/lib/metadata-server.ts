// An OpenStack metadata service for booted guests: a real HTTP server on 127.0.0.1 that QEMU's guestfwd
// (through guestfwd-relay.mjs) makes reachable as http://169.254.169.254/. It serves what cloud-init's
// OpenStack data source reads and the vendor_data2.json of the current phase, and logs every request with
// its User-Agent, so a test can say who asked for what, when and how often.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const METADATA_ADDRESS = '169.254.169.254';
/** The relay QEMU runs per connection (an absolute path: QEMU runs it through /bin/sh -c). */
export const RELAY = join(__dirname, 'guestfwd-relay.mjs');

export interface MetadataRequest {
  /** Milliseconds since the server started. */
  atMs: number;
  method: string;
  path: string;
  userAgent: string;
  status: number;
  /** The phase that was current when the request came. */
  phase: string;
}

export interface MetadataServer {
  port: number;
  requests: MetadataRequest[];
  /** The vendor_data2.json body per phase name; a missing phase answers 404 (a cloud without vendor data). */
  vendorData: Map<string, string>;
  phase: string;
  /** `guestfwd=…` for -netdev user, relaying 169.254.169.254:80 to this server. */
  guestfwd(): string;
  close(): Promise<void>;
}

export interface InstanceIdentity {
  uuid: string;
  hostname: string;
}

/**
 * Starts the server on an ephemeral port of 127.0.0.1. `GET /gba-test/phase/<name>` (from the guest's
 * observer) switches the phase, so one boot can show the agent two different clouds.
 */
export async function startMetadataServer(identity: InstanceIdentity, firstPhase: string): Promise<MetadataServer> {
  const started = Date.now();
  const state: Pick<MetadataServer, 'requests' | 'vendorData' | 'phase'> = { requests: [], vendorData: new Map(), phase: firstPhase };
  const metaData = JSON.stringify({ uuid: identity.uuid, name: identity.hostname, hostname: identity.hostname, launch_index: 0, availability_zone: 'nova', project_id: 'gba-boot-test', meta: {}, devices: [] });
  // The EC2-style tree cloud-init's OpenStack reader also walks (a 404 there costs it retries).
  const ec2: Record<string, string> = { '': 'instance-id\nlocal-hostname\nhostname', 'instance-id': identity.uuid, 'local-hostname': identity.hostname, hostname: identity.hostname };

  const answer = (path: string): [number, string, string] => {
    const json = 'application/json';
    const phase = /^\/gba-test\/phase\/([\w-]+)$/.exec(path)?.[1];
    if (phase !== undefined) {
      state.phase = phase;
      return [200, 'text/plain', `phase ${phase}\n`];
    }
    if (path === '/openstack' || path === '/openstack/') return [200, 'text/plain', 'latest'];
    const file = /^\/openstack\/latest\/([\w.]+)$/.exec(path)?.[1];
    if (file === 'meta_data.json') return [200, json, metaData];
    if (file === 'vendor_data.json') return [200, json, '{}'];
    if (file === 'vendor_data2.json') {
      const body = state.vendorData.get(state.phase);
      return body === undefined ? [404, 'text/plain', 'Not Found'] : [200, json, body];
    }
    const leaf = /^\/(?:latest|2009-04-04)\/meta-data\/?(.*)$/.exec(path)?.[1];
    if (leaf !== undefined && leaf in ec2) return [200, 'text/plain', ec2[leaf] as string];
    return [404, 'text/plain', 'Not Found'];
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const phase = state.phase;
    const [status, type, body] = request.method === 'GET' ? answer(path) : [405, 'text/plain', 'GET only'];
    state.requests.push({ atMs: Date.now() - started, method: request.method ?? '', path, userAgent: request.headers['user-agent'] ?? '', status, phase });
    response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), connection: 'close' });
    response.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    get requests() {
      return state.requests;
    },
    get vendorData() {
      return state.vendorData;
    },
    get phase() {
      return state.phase;
    },
    set phase(value: string) {
      state.phase = value;
    },
    guestfwd: () => `guestfwd=tcp:${METADATA_ADDRESS}:80-cmd:${process.execPath} ${RELAY} ${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One line per request, for a failure message or the test's own log. */
export function describeRequests(requests: readonly MetadataRequest[]): string {
  return requests.map((one) => `${(one.atMs / 1000).toFixed(1).padStart(7)} s  [${one.phase}] ${one.method} ${one.path} -> ${one.status}  (${one.userAgent || 'no User-Agent'})`).join('\n') || '(no requests)';
}
