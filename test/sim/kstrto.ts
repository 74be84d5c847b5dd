// The kernel's number parsers (lib/kstrtox.c), which sysfs store functions use: they decide what is EINVAL
// and what is ERANGE for `online`, `portno`, `layer2`, `buffer_count` (reference qeth §2.1).
import { Errno } from './errno.js';

const DIGITS = '0123456789abcdef';

/** kstrtoull: optional '+', a radix prefix (base 0: 0x → 16, 0 → 8; base 16: optional 0x), digits, one '\n'. */
export function kstrtoull(text: string, base: 0 | 8 | 10 | 16): bigint {
  let s = text.startsWith('+') ? text.slice(1) : text;
  let radix = base;
  if (radix === 0) radix = s[0] === '0' ? (s[1]?.toLowerCase() === 'x' && isHex(s[2]) ? 16 : 8) : 10;
  if (radix === 16 && s[0] === '0' && s[1]?.toLowerCase() === 'x') s = s.slice(2);
  let value = 0n;
  let count = 0;
  for (; count < s.length; count++) {
    const digit = DIGITS.indexOf(s[count]!.toLowerCase());
    if (digit < 0 || digit >= radix) break;
    value = value * BigInt(radix) + BigInt(digit);
    if (value > 0xffff_ffff_ffff_ffffn) throw new Errno('ERANGE', `${JSON.stringify(text)} overflows`);
  }
  if (count === 0) throw new Errno('EINVAL', `${JSON.stringify(text)} is not a number`);
  const rest = s.slice(count);
  if (rest !== '' && rest !== '\n') throw new Errno('EINVAL', `${JSON.stringify(text)} has trailing characters`);
  return value;
}

/** kstrtoul (64-bit on s390x). */
export function kstrtoul(text: string, base: 0 | 8 | 10 | 16): number {
  return Number(kstrtoull(text, base));
}

/** kstrtouint: as kstrtoull, ERANGE past 32 bits. */
export function kstrtouint(text: string, base: 0 | 8 | 10 | 16): number {
  const value = kstrtoull(text, base);
  if (value > 0xffff_ffffn) throw new Errno('ERANGE', `${JSON.stringify(text)} overflows an unsigned int`);
  return Number(value);
}

/** kstrtobool: y/t/e/1 and "on" are true, n/f/d/0 and "off" false; only the first one or two characters count. */
export function kstrtobool(text: string): boolean {
  const [a = '', b = ''] = text.toLowerCase();
  if ('yte1'.includes(a) && a !== '') return true;
  if ('nfd0'.includes(a) && a !== '') return false;
  if (a === 'o' && b === 'n') return true;
  if (a === 'o' && b === 'f') return false;
  throw new Errno('EINVAL', `${JSON.stringify(text)} is not a boolean`);
}

function isHex(char: string | undefined): boolean {
  return char !== undefined && /^[0-9a-f]$/i.test(char);
}
