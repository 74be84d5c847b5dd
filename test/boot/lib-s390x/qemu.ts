// Boots the s390x kernel under qemu-system-s390x (TCG; KVM only when GBA_BOOT_KVM=1 and /dev/kvm exists) with
// the console in a file, and waits for QEMU to exit (the guest powers off) or a deadline.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostEnv } from '../../image/process.js';

export interface QemuBoot {
  kernel: string;
  initrd: string;
  append: string;
  /** Extra QEMU arguments: the devices. */
  devices: string[];
  work: string;
  timeoutMs: number;
  /** MiB of guest memory (default 1024); a root unpacked from the initramfs needs more. */
  memory?: number;
}

export interface QemuResult {
  console: string;
  code: number | null;
  timedOut: boolean;
  seconds: number;
  stderr: string;
  argv: string[];
}

export async function bootQemu(boot: QemuBoot): Promise<QemuResult> {
  const consoleFile = join(boot.work, 'console.log');
  const accel = process.env.GBA_BOOT_KVM === '1' ? ['-accel', 'kvm'] : ['-accel', 'tcg,thread=multi'];
  const argv = [
    '-machine', 's390-ccw-virtio', ...accel, '-smp', '2', '-m', String(boot.memory ?? 1024),
    '-nodefaults', '-display', 'none', '-monitor', 'none', '-no-reboot',
    '-chardev', `file,id=console,path=${consoleFile}`, '-device', 'sclpconsole,chardev=console',
    '-kernel', boot.kernel, '-initrd', boot.initrd, '-append', boot.append,
    ...boot.devices,
  ];
  const started = Date.now();
  const child = spawn('qemu-system-s390x', argv, { env: hostEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, boot.timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exit) => resolve(exit));
  }).finally(() => clearTimeout(timer));
  const text = (() => {
    try {
      return readFileSync(consoleFile, 'utf8');
    } catch {
      return '';
    }
  })();
  return { console: text, code, timedOut, seconds: (Date.now() - started) / 1000, stderr, argv };
}
