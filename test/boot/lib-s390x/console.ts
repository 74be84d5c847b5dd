// Reads the guest's console: "GBA …" result lines and files shipped as base64 ("GBA B <name> <n> <chunk>",
// "GBA E <name> <lines>"). Tolerant of what Hercules' 3215 console does to lines: stray carriage returns,
// prefixes before "GBA", lines of other output interleaved.

export interface Step {
  rc: number;
  secs: number;
}

export interface GuestReport {
  /** Every "GBA" line, without the prefix, in order. */
  lines: string[];
  steps: Map<string, Step>;
  files: Map<string, Buffer>;
  /** Files whose lines did not all arrive intact: name → what is wrong. */
  damaged: Map<string, string>;
  done: boolean;
}

export function parseConsole(text: string): GuestReport {
  const lines: string[] = [];
  const chunks = new Map<string, string[]>();
  const ends = new Map<string, number>();
  const steps = new Map<string, Step>();
  let done = false;
  for (const raw of text.split(/\r?\n|\r/)) {
    const at = raw.indexOf('GBA ');
    if (at < 0) continue;
    const line = raw.slice(at + 4).trim();
    const words = line.split(/\s+/);
    if (words[0] === 'B' && words.length === 4 && /^\d+$/.test(words[2]!)) {
      const list = chunks.get(words[1]!) ?? [];
      list[Number(words[2])] = words[3]!;
      chunks.set(words[1]!, list);
      continue;
    }
    if (words[0] === 'E' && words.length === 3) {
      ends.set(words[1]!, Number(words[2]));
      continue;
    }
    lines.push(line);
    if (words[0] === 'DONE') done = true;
    const step = /^STEP (\S+) rc (\d+) secs ([\d.]+)$/.exec(line);
    if (step) steps.set(step[1]!, { rc: Number(step[2]), secs: Number(step[3]) });
  }
  const files = new Map<string, Buffer>();
  const damaged = new Map<string, string>();
  for (const [name, count] of ends) {
    const list = chunks.get(name) ?? [];
    const missing = [...Array(count).keys()].filter((index) => !list[index] || !/^[A-Za-z0-9+/=]+$/.test(list[index]!));
    if (missing.length > 0 || list.length > count) damaged.set(name, `lines ${missing.join(',')} of ${count} missing or mangled`);
    else files.set(name, Buffer.from(list.join(''), 'base64'));
  }
  for (const name of chunks.keys()) if (!ends.has(name)) damaged.set(name, 'its end line never arrived');
  return { lines, steps, files, damaged, done };
}

/** A shipped file as text; throws naming the file when it did not arrive (the console is in the message). */
export function fileText(report: GuestReport, name: string): string {
  const file = report.files.get(name);
  if (!file) throw new Error(`the guest did not ship ${name}${report.damaged.has(name) ? ` intact (${report.damaged.get(name)})` : ''}`);
  return file.toString('utf8');
}

/** A shipped JSON document (the agent's --json output). */
export function fileJson<T = Record<string, unknown>>(report: GuestReport, name: string): T {
  const text = fileText(report, name);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${name} is not one JSON document: ${(error as Error).message}\n${text}`, { cause: error });
  }
}

export function step(report: GuestReport, name: string): Step {
  const found = report.steps.get(name);
  if (!found) throw new Error(`the guest never reported step ${name}`);
  return found;
}
