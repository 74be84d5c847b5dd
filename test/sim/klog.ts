// What the simulated kernel tells user space besides sysfs: uevents (udev's input) and dmesg lines. Tests read
// them to check that e.g. a `change` followed every online (reference qeth §1.4, §2.3).

export interface Uevent {
  action: 'add' | 'remove' | 'change' | 'move' | 'bind' | 'unbind';
  /** The device path without /sys, as udev sees it: /devices/qeth/0.0.f500. */
  devpath: string;
}

export class KernelLog {
  readonly uevents: Uevent[] = [];
  readonly dmesg: string[] = [];

  uevent(action: Uevent['action'], sysPath: string): void {
    this.uevents.push({ action, devpath: sysPath.replace(/^\/sys/, '') });
  }

  print(line: string): void {
    this.dmesg.push(line);
  }
}
