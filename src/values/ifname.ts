// Network interface names, validated before they reach a path or an `ip` argument.
import * as z from 'zod/mini';

/** Linux IFNAMSIZ allows 15 characters; we also refuse anything that is not [A-Za-z0-9_.:-]. */
const IFNAME = /^[A-Za-z0-9_.:-]{1,15}$/;

/** True for a safe interface name ("." and ".." excluded: they are path components). */
export function isValidIfname(name: string): boolean {
  return IFNAME.test(name) && name !== '.' && name !== '..';
}

/** Validates an interface name from outside (udev, the command line, sysfs listings). */
export const ifnameSchema = z.string().check(z.refine(isValidIfname, { message: 'not an interface name ([A-Za-z0-9_.:-], at most 15 characters)' }));
