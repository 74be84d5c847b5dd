// Splits a kernel command line into parameters the way the kernel does (lib/cmdline.c, next_arg).

/** The kernel's isspace() in the C locale. */
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\v' || c === '\f' || c === '\r';

/**
 * Whitespace separates parameters; a double quote toggles grouping so spaces inside quotes do not split.
 * Like the kernel, only a quote opening the parameter or its value, and a quote closing it, are removed:
 * `foo="a b"` → `foo=a b`, `"a b"` → `a b`. An unterminated quote runs to the end.
 */
export function tokenizeCmdline(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text[i]!)) i++;
    if (i >= text.length) break;
    let inQuote = false;
    let end = i;
    for (; end < text.length; end++) {
      const c = text[end]!;
      if (isSpace(c) && !inQuote) break;
      if (c === '"') inQuote = !inQuote;
    }
    tokens.push(unquote(text.slice(i, end)));
    i = end;
  }
  return tokens;
}

function unquote(raw: string): string {
  const equals = raw.indexOf('=');
  const stripClosing = (s: string) => (s.endsWith('"') ? s.slice(0, -1) : s);
  if (raw.startsWith('"')) return stripClosing(raw.slice(1));
  if (equals >= 0 && raw[equals + 1] === '"') return `${raw.slice(0, equals + 1)}${stripClosing(raw.slice(equals + 2))}`;
  return raw;
}
