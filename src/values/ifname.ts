// Network interface names, validated before they reach a path or an `ip` argument.
import { z } from 'zod';

/** Linux IFNAMSIZ allows 15 characters; we also refuse anything that is not [A-Za-z0-9_.:-]. */
const IFNAME = /^[A-Za-z0-9_.:-]{1,15}$/;

/** True for a safe interface name ("." and ".." excluded: they are path components). */
export function isValidIfname(name: string): boolean {
  return IFNAME.test(name) && name !== '.' && name !== '..';
}

export const ifnameSchema = z.string().refine(isValidIfname, {
  message: 'not an interface name ([A-Za-z0-9_.:-], at most 15 characters)',
});
