// Before planning: undo what a killed run left held (its intent record), so its autoprobe=0 is never read as the
// operator's setting and no driver_override stays set. What cannot be restored stays recorded and is returned:
// the planner then treats it as held (not converged) and plans the restore itself.
import type { Host, HostReader } from '../host/host.js';
import type { Logger } from '../log.js';
import { messageOf } from '../errors.js';
import type { Restores } from '../plan/intent-record.js';
import { readRestores, updateRestores } from '../plan/intent-record.js';
import { SRIOV_INTENT_RECORD } from './paths.js';

/** Only what this agent ever records: a PF's autoprobe back to 1, a VF's driver_override cleared. */
const RESTORABLE = /^\/sys\/bus\/pci\/devices\/[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\/(sriov_drivers_autoprobe|driver_override)$/;
const isRestorable = (path: string, value: string): boolean => {
  const match = RESTORABLE.exec(path);
  return match !== null && (match[1] === 'sriov_drivers_autoprobe' ? value === '1' || value === '0' : value === '\n');
};

/** The record's settings, read only (dry run: the plan shows their restore). */
export async function readHeld(host: HostReader, log: Logger): Promise<Restores> {
  const restores = await readRestores(host.files, SRIOV_INTENT_RECORD).catch((error: unknown) => {
    log.warn('sriov', `ignoring ${SRIOV_INTENT_RECORD}: ${messageOf(error)}`);
    return {};
  });
  return Object.fromEntries(Object.entries(restores).filter(([path, value]) => isRestorable(path, value)));
}

/** Restores every setting the record holds, logs each, drops the restored ones; resolves to those still held. */
export async function restoreLeftSettings(host: Host, log: Logger): Promise<Restores> {
  const held = await readHeld(host, log);
  const left: Restores = {};
  for (const [path, value] of Object.entries(held)) {
    const device = path.split('/')[5]!;
    try {
      await host.sysfs.write(path, value);
      log.warn(device, `restored ${JSON.stringify(value)} > ${path}: a killed run left it held (${SRIOV_INTENT_RECORD})`);
    } catch (error) {
      left[path] = value;
      log.error(device, `cannot restore ${JSON.stringify(value)} > ${path} left by a killed run: ${messageOf(error)}`);
    }
  }
  if (Object.keys(held).length > 0) {
    await updateRestores(host.files, SRIOV_INTENT_RECORD, (restores) => {
      for (const path of Object.keys(restores)) if (!(path in left)) delete restores[path];
    }).catch((error: unknown) => log.warn('sriov', `cannot update ${SRIOV_INTENT_RECORD}: ${messageOf(error)}`));
  }
  return left;
}
