// The programs the agent runs, as the real ones behave on top of the simulated kernel: modprobe (kmod) and
// `ip link` (iproute2), with their real output, messages and exit codes.
import type { Clock, ExecResult } from '../../src/host/host.js';
import { Errno, STRERROR } from './errno.js';
import type { Modules } from './modules.js';
import type { Netdev, NetModel } from './net-model.js';

/** Answers one program invocation, or undefined when it is not this program (the next model may know it). */
export type ProgramModel = (file: string, args: readonly string[]) => Promise<ExecResult | undefined>;

const KERNEL_RELEASE = '6.1.0-28-s390x';
const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
const fail = (exitCode: number, stderr: string): ExecResult => ({ exitCode, stdout: '', stderr: `${stderr}\n` });

/** kmod's modprobe: `modprobe [-a] [-q] name [params…]`. Without -a only the FIRST name is a module; the rest are
 * its parameters, which the kernel ignores with a warning ("unknown parameter … ignored"). */
export function modprobeProgram(modules: Modules, clock: Clock, log: (line: string) => void, latencyMs = 0): ProgramModel {
  return async (file, args) => {
    if (file !== 'modprobe') return undefined;
    const flags = args.filter((arg) => arg.startsWith('-'));
    const words = args.filter((arg) => !arg.startsWith('-'));
    const all = flags.some((flag) => flag === '-a' || flag === '--all');
    const quiet = flags.some((flag) => flag === '-q' || flag === '--quiet');
    const unknown = flags.find((flag) => !['-a', '--all', '-q', '--quiet', '-v', '--verbose', '-b', '--use-blacklist'].includes(flag));
    if (unknown) return fail(1, `modprobe: unrecognized option '${unknown}'`);
    if (words.length === 0) return fail(1, 'modprobe: ERROR: missing parameters. See -h.');
    await clock.sleep(latencyMs);
    for (const name of all ? words : words.slice(0, 1)) {
      const fresh = !modules.isLoaded(name);
      if (!modules.load(name)) {
        // -q: "do not print an error message" when the module is missing; the exit code stays 1.
        return quiet ? { exitCode: 1, stdout: '', stderr: '' } : fail(1, `modprobe: FATAL: Module ${name} not found in directory /lib/modules/${KERNEL_RELEASE}`);
      }
      if (fresh && !all) for (const param of words.slice(1)) log(`${name}: unknown parameter '${param}' ignored`);
    }
    return ok();
  };
}

/** iproute2's `ip [-o] link set [dev] NAME [address LLADDR] [up|down]` and `ip [-o] link show [[dev] NAME]`. */
export function ipProgram(net: NetModel): ProgramModel {
  return async (file, args) => {
    if (file !== 'ip') return undefined;
    const oneline = args[0] === '-o' || args[0] === '-oneline';
    const [object, verb, ...rest] = oneline ? args.slice(1) : args;
    if (object !== 'link' && object !== 'l') return unsupported(args);
    if (verb === 'set') return linkSet(net, rest);
    if (verb === 'show' || verb === undefined) return linkShow(net, rest, oneline);
    return unsupported(args);
  };
}

async function linkSet(net: NetModel, args: readonly string[]): Promise<ExecResult> {
  let name: string | undefined;
  let address: string | undefined;
  let up: boolean | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === 'dev') name = args[++i];
    else if (arg === 'address') {
      // ll_addr_a2n runs while parsing, before the device is looked up.
      address = parseLladdr(args[++i] ?? '');
      if (address === undefined) return fail(1, `"${args[i] ?? ''}" is invalid lladdr.`);
    } else if (arg === 'up' || arg === 'down') up = arg === 'up';
    else if (name === undefined) name = arg;
    else return fail(1, `Error: either "dev" is duplicate, or "${arg}" is a garbage.`);
  }
  if (name === undefined) return fail(1, 'Not enough information: "dev" argument is required.');
  net.beforeNetlink(name);
  const netdev = net.byName(name);
  if (!netdev) return fail(1, `Cannot find device "${name}"`);
  try {
    // do_setlink: the address first; a failure leaves the flags alone.
    if (address !== undefined) {
      if (address.split(':').length < 6) throw new Errno('EINVAL', 'address shorter than addr_len');
      await net.setMac(netdev, address);
    }
    if (up !== undefined) net.setUp(netdev, up);
  } catch (error) {
    if (!(error instanceof Errno)) throw error;
    return fail(2, `RTNETLINK answers: ${STRERROR[error.code] ?? error.code}`);
  }
  return ok();
}

function linkShow(net: NetModel, args: readonly string[], oneline: boolean): ExecResult {
  const name = args[0] === 'dev' ? args[1] : args[0];
  if (name !== undefined) net.beforeNetlink(name);
  const devices = name === undefined ? net.all() : [net.byName(name)].filter((d): d is Netdev => d !== undefined);
  if (devices.length === 0) return fail(1, `Device "${name}" does not exist.`);
  return ok(devices.map((netdev) => describe(netdev, oneline)).join(''));
}

/** The two lines `ip link show` prints per interface; -o joins them with a backslash. */
function describe(netdev: Netdev, oneline: boolean): string {
  const loopback = netdev.type === 772;
  const flags = [loopback ? 'LOOPBACK' : 'BROADCAST,MULTICAST', ...(netdev.up ? ['UP'] : []), ...(netdev.up && netdev.present ? ['LOWER_UP'] : [])];
  if (netdev.up && !netdev.present) flags.unshift('NO-CARRIER');
  const state = loopback ? 'UNKNOWN' : netdev.up && netdev.present ? 'UP' : 'DOWN';
  const qdisc = loopback ? 'noqueue' : netdev.up ? 'mq' : 'noop';
  const first = `${netdev.ifindex}: ${netdev.name}: <${flags.join(',')}> mtu ${loopback ? 65536 : 1500} qdisc ${qdisc} state ${state} mode DEFAULT group default qlen 1000`;
  const second = loopback ? '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00' : `    link/ether ${netdev.mac} brd ff:ff:ff:ff:ff:ff`;
  return oneline ? `${first}\\${second}\n` : `${first}\n${second}\n`;
}

/** ll_addr_a2n: colon-separated bytes of 1–2 hex digits; lower-case, as the kernel stores and prints them. */
function parseLladdr(text: string): string | undefined {
  const bytes = text.split(':');
  if (bytes.some((byte) => !/^[0-9a-f]{1,2}$/i.test(byte))) return undefined;
  return bytes.map((byte) => byte.toLowerCase().padStart(2, '0')).join(':');
}

/** A run that failed in the kernel with `errno` (an injected 'exec' fault), reported the way the program does. */
export function failedRun(name: string, args: readonly string[], errno: string): ExecResult {
  const message = STRERROR[errno] ?? errno;
  if (name === 'ip') return fail(2, `RTNETLINK answers: ${message}`);
  if (name === 'modprobe') return fail(1, `modprobe: ERROR: could not insert '${args.find((arg) => !arg.startsWith('-')) ?? ''}': ${message}`);
  return fail(1, `${name}: ${message}`);
}

/** Arguments the sim does not model: fail loudly rather than pretend. */
function unsupported(args: readonly string[]): ExecResult {
  return fail(255, `ip (simulated): unsupported arguments: ${args.join(' ')}`);
}
