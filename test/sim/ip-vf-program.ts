// iproute2's `ip link set [dev] NAME vf N [node_guid G] [port_guid G] [state auto|enable|disable]` on top of the
// simulated mlx5 (reference sriov §3). As the real one: argument errors exit 255 (invarg/missarg call exit(-1)), an
// unknown device exits 1, and the kernel's refusal is "RTNETLINK answers: …", exit 2. Every other `ip` command falls
// through to programs.ts.
import type { ExecResult } from '../../src/host/host.js';
import { Errno, STRERROR } from './errno.js';
import type { Vport } from './mlx5-guid.js';
import { parseIprouteGuid } from './mlx5-guid.js';
import type { Mlx5Driver } from './mlx5-driver.js';
import type { NetModel } from './net-model.js';
import type { ProgramModel } from './programs.js';
import type { VfPolicy } from './pci-spec.js';

/** One `vf N …` clause: the changes in the order do_setvfinfo applies them (link state, node GUID, port GUID). */
interface VfClause {
  vf: number;
  policy?: VfPolicy;
  node?: string;
  port?: string;
}

class Usage extends Error {}

const STATES: Record<string, VfPolicy> = { auto: 'Follow', enable: 'Up', disable: 'Down' };

/** The `ip link set … vf …` model; answers undefined for any other command line. */
export function ipVfProgram(net: NetModel, mlx5: Mlx5Driver): ProgramModel {
  return async (file, args) => {
    const [object, verb, ...rest] = args;
    if (file !== 'ip' || (object !== 'link' && object !== 'l') || verb !== 'set' || !rest.includes('vf')) return undefined;
    let parsed: { dev: string; clauses: VfClause[] };
    try {
      parsed = parseLinkSetVf(rest);
    } catch (error) {
      if (error instanceof Usage) return fail(255, error.message);
      throw error;
    }
    net.beforeNetlink(parsed.dev);
    const netdev = net.byName(parsed.dev);
    if (!netdev) return fail(1, `Cannot find device "${parsed.dev}"`);
    try {
      for (const clause of parsed.clauses) {
        for (const change of changesOf(clause)) mlx5.setVf(netdev, clause.vf, change);
      }
    } catch (error) {
      if (!(error instanceof Errno)) throw error;
      return fail(2, `RTNETLINK answers: ${STRERROR[error.code] ?? error.code}`);
    }
    return { exitCode: 0, stdout: '', stderr: '' };
  };
}

/** iplink_parse and iplink_parse_vf, for the keywords the agent may use. */
function parseLinkSetVf(args: readonly string[]): { dev: string; clauses: VfClause[] } {
  let dev: string | undefined;
  const clauses: VfClause[] = [];
  const next = (i: number) => args[i] ?? usage('Command line is not complete. Try option "help"');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === 'dev') dev = next(++i);
    else if (arg === 'vf') {
      const value = next(++i);
      if (!/^(0x[0-9a-f]+|\d+)$/i.test(value)) invarg('Invalid "vf" value', value);
      if (dev === undefined) usage('Error: argument "dev" is required');
      const clause: VfClause = { vf: Number(value) };
      // iplink_parse_vf consumes its own keywords and hands the first unknown one back.
      for (; ; i += 2) {
        const key = args[i + 1];
        if (key === 'node_guid' || key === 'port_guid') clause[key === 'node_guid' ? 'node' : 'port'] = parseIprouteGuid(next(i + 2)) ?? invarg('Invalid GUID format', args[i + 2]!);
        else if (key === 'state') clause.policy = stateOf(next(i + 2));
        else break;
      }
      clauses.push(clause);
    } else if (dev === undefined) dev = arg;
    else usage(`Error: either "dev" is duplicate, or "${arg}" is a garbage.`);
  }
  return { dev: dev ?? usage('Not enough information: "dev" argument is required.'), clauses };
}

/** `matches()`: any non-empty prefix of the keyword. */
function stateOf(word: string): VfPolicy {
  const state = Object.keys(STATES).find((name) => word !== '' && name.startsWith(word));
  return state ? STATES[state]! : invarg('Invalid "state" value', word);
}

function changesOf(clause: VfClause): Partial<Vport>[] {
  return [
    ...(clause.policy ? [{ policy: clause.policy }] : []),
    ...(clause.node ? [{ node: clause.node }] : []),
    ...(clause.port ? [{ port: clause.port }] : []),
  ];
}

function invarg(message: string, arg: string): never {
  return usage(`Error: argument "${arg}" is wrong: ${message}\n`);
}

function usage(message: string): never {
  throw new Usage(message);
}

function fail(exitCode: number, stderr: string): ExecResult {
  return { exitCode, stdout: '', stderr: `${stderr}\n` };
}
