// IPLs the s390x kernel and an initrd under Hyperion from an .ins file, inside a network namespace of its own:
// the QETH devices' TAPs exist only there (no addresses, no routes) and vanish with it.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hostEnv, mustRun, run } from '../../image/process.js';

export interface QethDevice {
  /** Read device number, 4 hex digits; the statement defines devno, devno+1, devno+2. */
  devno: string;
  chpid: string;
}

export interface HerculesBoot {
  hercules: string;
  kernel: string;
  initrd: string;
  append: string;
  qeth: QethDevice[];
  /** FBA DASDs (device type 9336), each an image file: the results disk. */
  fba?: { devno: string; path: string }[];
  work: string;
  timeoutMs: number;
  /** MB of guest storage; the initrd is loaded at 64 MB and unpacked into tmpfs. */
  mainsize?: number;
}

export interface HerculesResult {
  /** Everything Hercules wrote: its own HHC messages and the guest's 3215 console lines. */
  log: string;
  code: number | null;
  timedOut: boolean;
  seconds: number;
  /** Seconds from start until the guest said DONE (undefined if it never did). */
  doneAfter?: number;
  config: string;
}

const INITRD_ADDRESS = 0x4000000;

/** The .ins file and the two 8-byte fields the kernel reads for the initrd (start and size at 0x10408/0x10410). */
function writeIns(work: string, boot: HerculesBoot): string {
  const field = (value: number) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64BE(BigInt(value));
    return buffer;
  };
  writeFileSync(join(work, 'initrd.off'), field(INITRD_ADDRESS));
  writeFileSync(join(work, 'initrd.siz'), field(statSync(boot.initrd).size));
  writeFileSync(join(work, 'parmfile'), `${boot.append}\0`);
  const ins = join(work, 'linux.ins');
  // Loaded in order: the kernel first, then what overwrites its parameter area.
  // Hercules reads each name relative to the .ins file's directory and refuses a link that leads out of it.
  copyFileSync(boot.kernel, join(work, 'kernel'));
  if (dirname(boot.initrd) !== work) copyFileSync(boot.initrd, join(work, 'initrd'));
  const initrd = dirname(boot.initrd) === work ? basename(boot.initrd) : 'initrd';
  writeFileSync(ins, ['kernel 0x00000000', `${initrd} 0x${INITRD_ADDRESS.toString(16).padStart(8, '0')}`, 'parmfile 0x00010480', 'initrd.off 0x00010408', 'initrd.siz 0x00010410', ''].join('\n'));
  return ins;
}

function config(boot: HerculesBoot): string {
  return [
    'ARCHLVL   z/Arch',
    `MAINSIZE  ${boot.mainsize ?? 1536}`,
    'NUMCPU    2',
    'CPUSERIAL 012345',
    'CPUMODEL  8561',
    'LPARNAME  GBATEST',
    // Linux takes program checks (page faults) all the time: Hercules must not trace each one.
    'OSTAILOR  LINUX',
    // The guest's console (conmode=3215 condev=0x0009 on the kernel command line).
    '0009      3215-C / noprompt',
    ...(boot.fba ?? []).map((disk) => `${disk.devno}      9336 ${disk.path}`),
    ...boot.qeth.map((device, index) => `${device.devno}.3    QETH ifname hqeth${index} iface /dev/net/tun chpid ${device.chpid}`),
    '',
  ].join('\n');
}

export async function bootHercules(boot: HerculesBoot): Promise<HerculesResult> {
  const ins = writeIns(boot.work, boot);
  const cfg = join(boot.work, 'hercules.cnf');
  const text = config(boot);
  writeFileSync(cfg, text);
  writeFileSync(join(boot.work, 'hercules.rc'), `ipl ${ins}\n`);
  const namespace = `gba-s390x-${process.pid}`;
  await run('ip', ['netns', 'delete', namespace]);
  await mustRun('ip', ['netns', 'add', namespace]);
  const started = Date.now();
  try {
    const child = spawn('ip', ['netns', 'exec', namespace, boot.hercules, '-n', '-f', cfg, '-r', join(boot.work, 'hercules.rc')], {
      cwd: boot.work,
      env: hostEnv({ HERCULES_RC: join(boot.work, 'hercules.rc') }),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: Hercules leaves a process of its own behind after "quit" (seen: one idle hercules
      // per boot, reparented to init), so the whole group is killed once the emulator's output has ended.
      detached: true,
    });
    let log = '';
    let doneAfter: number | undefined;
    let quitting = false;
    const quit = () => {
      if (quitting) return;
      quitting = true;
      // Commands come from stdin in -n mode; "quit" ends the emulator once the guest has powered off.
      child.stdin.write('quit\n');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    };
    const onData = (chunk: string) => {
      log += chunk;
      // Also on disk as it comes: `tail -f <work>/hercules.log` follows a boot by hand.
      appendFileSync(join(boot.work, 'hercules.log'), chunk);
      // An IPL that failed (a file not loaded, no IPL at all) leaves the CPUs stopped: no use waiting.
      if (/HHC0060\dE|HHC0083\dE|IPL failed/.test(chunk)) setTimeout(quit, 1000).unref();
      if (doneAfter === undefined && /GBA DONE/.test(log.slice(-4096))) {
        doneAfter = (Date.now() - started) / 1000;
        setTimeout(quit, 3000).unref();
      }
    };
    child.stdin.on('error', () => undefined);
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      quit();
    }, boot.timeoutMs);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exit) => resolve(exit));
    }).finally(() => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    });
    return { log, code, timedOut, seconds: (Date.now() - started) / 1000, doneAfter, config: text };
  } finally {
    await run('ip', ['netns', 'delete', namespace]);
  }
}
