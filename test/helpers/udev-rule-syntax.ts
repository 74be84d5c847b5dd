// A strict reading of udev rule syntax (udev(7), systemd 252), for where `udevadm verify` (systemd >= 253) is missing.

/** Keys that only match, only assign, and those that may do both; with whether `{attribute}` is required. */
const MATCH_ONLY = ['ACTION', 'DEVPATH', 'KERNEL', 'KERNELS', 'SUBSYSTEM', 'SUBSYSTEMS', 'DRIVER', 'DRIVERS', 'ATTRS', 'TAGS', 'CONST', 'TEST', 'PROGRAM', 'RESULT'];
const ASSIGN_ONLY = ['OWNER', 'GROUP', 'MODE', 'SECLABEL', 'RUN', 'LABEL', 'GOTO', 'IMPORT', 'OPTIONS'];
const BOTH = ['NAME', 'SYMLINK', 'ATTR', 'SYSCTL', 'ENV', 'TAG'];
const NEEDS_ATTRIBUTE = ['ATTR', 'ATTRS', 'SYSCTL', 'ENV', 'CONST', 'SECLABEL', 'IMPORT'];
const MAY_HAVE_ATTRIBUTE = [...NEEDS_ATTRIBUTE, 'TEST', 'RUN'];
const TOKEN = /^([A-Z_]+)(\{([^{}]+)\})?(==|!=|\+=|-=|:=|=)"((?:[^"\\]|\\.)*)"$/;

export interface RuleToken {
  key: string;
  attribute: string | undefined;
  op: string;
  value: string;
}

/** Parses a rules file into rules (lists of tokens); throws naming the line and the token for anything udev(7) does not define. */
export function parseUdevRules(text: string): RuleToken[][] {
  const rules: RuleToken[][] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.endsWith('\\')) throw new Error(`line ${index + 1}: continuation lines are not used here`);
    const tokens = splitTokens(line, index + 1).map((token) => parseToken(token, index + 1));
    if (tokens.every((token) => token.op === '==' || token.op === '!=')) throw new Error(`line ${index + 1}: a rule with no assignment does nothing`);
    rules.push(tokens);
  });
  return rules;
}

/** Splits on the commas between tokens (not inside quotes); every token must be followed by ", " or the end. */
function splitTokens(line: string, lineNo: number): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '\\' && quoted) {
      current += char + (line[++i] ?? '');
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      tokens.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  if (quoted) throw new Error(`line ${lineNo}: unterminated quote`);
  tokens.push(current.trim());
  if (tokens.some((token) => token === '')) throw new Error(`line ${lineNo}: empty token (stray comma)`);
  return tokens;
}

function parseToken(token: string, lineNo: number): RuleToken {
  const match = TOKEN.exec(token);
  if (!match) throw new Error(`line ${lineNo}: ${JSON.stringify(token)} is not KEY[{attr}]OP"value" (missing comma or quotes?)`);
  const [, key = '', , attribute, op = '', value = ''] = match;
  const isMatch = op === '==' || op === '!=';
  if (![...MATCH_ONLY, ...ASSIGN_ONLY, ...BOTH].includes(key)) throw new Error(`line ${lineNo}: unknown key ${key}`);
  if (isMatch && ASSIGN_ONLY.includes(key)) throw new Error(`line ${lineNo}: ${key} cannot be matched (${op})`);
  if (!isMatch && MATCH_ONLY.includes(key)) throw new Error(`line ${lineNo}: ${key} cannot be assigned (${op})`);
  if (NEEDS_ATTRIBUTE.includes(key) && attribute === undefined) throw new Error(`line ${lineNo}: ${key} needs {attribute}`);
  if (attribute !== undefined && !MAY_HAVE_ATTRIBUTE.includes(key)) throw new Error(`line ${lineNo}: ${key} takes no {attribute}`);
  return { key, attribute, op, value };
}
