// Whether this machine can boot s390x guests; the boot tests skip (loudly) only when GBA_SKIP_BOOT_TEST=1 says so.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_PATH } from '../../image/process.js';
import { BUNDLE } from './initrd.js';

export const SKIP = process.env.GBA_SKIP_BOOT_TEST === '1';

export function onPath(tool: string): boolean {
  return SYSTEM_PATH.split(':').some((dir) => statSync(join(dir, tool), { throwIfNoEntry: false })?.isFile());
}

/** Why the boot cannot run here, or undefined. `tools` are host programs (Debian packages in the message). */
export function missingPrerequisite(tools: Record<string, string>): string | undefined {
  if (process.getuid?.() !== 0) return 'it must run as root (apt-get for the s390x packages, network namespaces); CI does';
  const missing = Object.entries(tools).filter(([tool]) => !onPath(tool));
  if (missing.length > 0) return `not found in ${SYSTEM_PATH}: ${missing.map(([tool, pkg]) => `${tool} (Debian package ${pkg})`).join(', ')}`;
  if (!statSync(BUNDLE, { throwIfNoEntry: false })) return `${BUNDLE} is missing (npm run test:boot builds it first)`;
  return undefined;
}

export function skipWarning(what: string): void {
  console.warn(`\n!!! SKIPPING ${what} (GBA_SKIP_BOOT_TEST=1): it is NOT proven by this run.\n`);
}
