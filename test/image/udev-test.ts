// `udevadm test` of the image's own udev on a synthetic device: the only way udev 252 (no `udevadm verify`)
// parses and evaluates a rules file without a running systemd-udevd.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FakeNetdev } from './fake-sysfs.js';
import { udevTestProperties, writeFakeNetdev } from './fake-sysfs.js';
import { unmount } from './mounts.js';
import { mustRun, run, SYSTEM_PATH } from './process.js';
import type { Ran } from './process.js';

export interface UdevTest {
  ran: Ran;
  properties: Map<string, string>;
  /** Lines where udev complains about a rules file (`<file>:<line> <message>`), all files. */
  ruleDiagnostics: string[];
}

/**
 * Runs `udevadm test --action=<action>` (default add) in the chroot on `device`, written into a tmpfs laid over the chroot's
 * /sys. sd-device accepts a syspath that is not on sysfs only with SYSTEMD_DEVICE_VERIFY_SYSFS=0.
 * With `realLink`, the test runs in a fresh network namespace holding a veth of the same name and ifindex,
 * so 80-net-setup-link.rules finds the link and really renames it (in that namespace only), as at boot.
 */
export async function udevTest(root: string, device: Omit<FakeNetdev, 'ifindex'>, options: { realLink: boolean; action?: 'add' | 'move' }): Promise<UdevTest> {
  const sys = join(root, 'sys');
  const netns = options.realLink ? `gba-image-${randomBytes(3).toString('hex')}` : undefined;
  await mustRun('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'gba-fake-sysfs', sys]);
  try {
    let ifindex = 2;
    if (netns) {
      await mustRun('ip', ['netns', 'add', netns]);
      await mustRun('ip', ['-n', netns, 'link', 'add', device.ifname, 'type', 'veth', 'peer', 'name', 'gbapeer0']);
      ifindex = Number(/^(\d+):/.exec((await mustRun('ip', ['-n', netns, '-o', 'link', 'show', 'dev', device.ifname])).stdout)?.[1]);
    }
    const syspath = writeFakeNetdev(sys, { ...device, ifindex });
    const argv = [...(netns ? ['ip', 'netns', 'exec', netns] : []), 'chroot', root, 'udevadm', 'test', `--action=${options.action ?? 'add'}`, syspath];
    const ran = await run(argv[0]!, argv.slice(1), { env: { PATH: SYSTEM_PATH, HOME: '/root', SYSTEMD_DEVICE_VERIFY_SYSFS: '0' } });
    const ruleDiagnostics = ran.stderr.split('\n').filter((line) => /^\/\S+\.rules:\d+ /.test(line));
    return { ran, properties: udevTestProperties(ran.stdout), ruleDiagnostics };
  } finally {
    if (netns) await run('ip', ['netns', 'del', netns]);
    // The tmpfs is the top of the two mounts on /sys: this uncovers the real sysfs again.
    await unmount(sys);
  }
}
