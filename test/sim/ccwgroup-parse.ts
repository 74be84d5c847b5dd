// How ccwgroup reads the bus ids of a group write (`__get_next_id` in drivers/s390/cio/ccwgroup.c, reference
// qeth §1.1): one token per call, split on ',', the last one cut at '\n', each ≤ 9 characters and parsed with
// sscanf("%2x.%1x.%04x").

export interface NextId {
  /** undefined: the token was malformed (the caller fails the write with EINVAL). */
  id: { ssid: number; devno: number } | undefined;
  /** What is left after the token; null when the buffer ended without a separator (strchr found nothing). */
  rest: string | null;
}

const CCW_BUS_ID_SIZE = 10;

/** The next id of `buf`, and the rest. Mirrors the C exactly, so e.g. a trailing ',' leaves an empty rest (accepted)
 * and anything after the newline of the last token is cut off with it. */
export function getNextId(buf: string): NextId {
  const comma = buf.indexOf(',');
  let token: string;
  let rest: string | null;
  if (comma < 0) {
    // Last entry: strip a trailing newline; *buf then points at the (now NUL) newline, or is NULL without one.
    const newline = buf.indexOf('\n');
    token = newline < 0 ? buf : buf.slice(0, newline);
    rest = newline < 0 ? null : '';
  } else {
    token = buf.slice(0, comma);
    rest = buf.slice(comma + 1);
  }
  const len = token.length + 1;
  return { id: len <= CCW_BUS_ID_SIZE ? scanBusId(token) : undefined, rest };
}

/** sscanf(token, "%2x.%1x.%04x") == 3: each %x skips blanks, then reads up to its width of hex digits; the '.'
 * literals must match; whatever follows the third field is ignored (so `0.0.600` is devno 0x600). */
function scanBusId(token: string): { ssid: number; devno: number } | undefined {
  let pos = 0;
  const hex = (width: number): number | undefined => {
    while (token[pos] === ' ' || token[pos] === '\t' || token[pos] === '\n') pos++;
    const start = pos;
    while (pos < token.length && pos - start < width && /[0-9a-f]/i.test(token[pos]!)) pos++;
    return pos > start ? Number.parseInt(token.slice(start, pos), 16) : undefined;
  };
  const literal = (char: string): boolean => token[pos++] === char;
  const cssid = hex(2);
  if (cssid === undefined || !literal('.')) return undefined;
  const ssid = hex(1);
  if (ssid === undefined || !literal('.')) return undefined;
  const devno = hex(4);
  return devno === undefined ? undefined : { ssid, devno };
}
