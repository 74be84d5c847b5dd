// InfiniBand GUIDs (EUI-64) as vendor data carries them and as sysfs/iproute2 want them.

declare const guidBrand: unique symbol;
/** Canonical GUID: 16 lower-case hex digits, no separators (the vendor-data form). */
export type Guid = string & { readonly [guidBrand]: true };

/** Accepts 16 hex digits, optionally `0x`-prefixed or separated by ':' / '-' per byte; undefined otherwise. */
export function parseGuid(text: string): Guid | undefined {
  const trimmed = text.trim().toLowerCase();
  const bare = trimmed.startsWith('0x')
    ? trimmed.slice(2)
    : /^([0-9a-f]{2}[:-]){7}[0-9a-f]{2}$/.test(trimmed)
      ? trimmed.replace(/[:-]/g, '')
      : trimmed;
  return /^[0-9a-f]{16}$/.test(bare) ? (bare as Guid) : undefined;
}

/** `xx:xx:xx:xx:xx:xx:xx:xx`: the only form the OFED sysfs files and iproute2's get_guid accept. */
export function guidToColon(guid: Guid): string {
  return guid.match(/../g)!.join(':');
}

/** Whether all bits are zero (a VF nobody configured; never a valid assignment). */
export function isZeroGuid(guid: Guid): boolean {
  return /^0+$/.test(guid);
}
