// CCW bus ids ("0.0.f500"): the names of channel devices and qeth groups.
import * as z from 'zod/mini';

declare const busIdBrand: unique symbol;
/** Canonical lower-case bus id `0.<ssid>.<4 hex>`, as the kernel prints it. */
export type BusId = string & { readonly [busIdBrand]: true };

const BUS_ID = /^0\.([0-3])\.([0-9a-f]{4})$/;

/** Accepts `0.<ssid>.<4 hex>` in any case; undefined for anything else. */
export function parseBusId(text: string): BusId | undefined {
  const lower = text.toLowerCase();
  return BUS_ID.test(lower) ? (lower as BusId) : undefined;
}

/** Validates and normalises a bus id from outside (udev, the command line). */
export const busIdSchema = z.pipe(
  z.string(),
  z.transform((text, ctx) => {
    const busId = parseBusId(text);
    if (busId === undefined) ctx.issues.push({ code: 'custom', input: text, message: `not a bus id (0.<ssid>.<4 hex digits>): ${JSON.stringify(text)}` });
    return busId ?? (z.NEVER as BusId);
  }),
);

/** The bus id of a device number in subchannel set 0 (DPM only uses set 0). */
export function busIdFromDevno(devno: number): BusId {
  return `0.0.${devno.toString(16).padStart(4, '0')}` as BusId;
}

/** The device number part of a bus id. */
export function devnoOf(busId: BusId): number {
  return Number.parseInt(busId.slice(-4), 16);
}

/** The bus id `offset` device numbers after this one, in the same subchannel set. */
export function busIdPlus(busId: BusId, offset: number): BusId | undefined {
  const devno = devnoOf(busId) + offset;
  if (devno > 0xffff) return undefined;
  return `${busId.slice(0, 4)}${devno.toString(16).padStart(4, '0')}` as BusId;
}

/**
 * The name systemd-udevd gives a ccwgroup interface (`names_ccw`): strip the
 * leading '0' and '.' characters of the bus id, keep at least one, prefix "enc".
 */
export function predictableName(busId: BusId): string {
  const stripped = busId.replace(/^[0.]+/, '');
  return `enc${stripped === '' ? '0' : stripped}`;
}
