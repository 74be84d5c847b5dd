import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
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
  // Every file arrives twice: per line, the first copy that is whole wins.
  const chunks = new Map<string, string[]>();
  const ends = new Map<string, { count: number; md5: string }>();
  const steps = new Map<string, Step>();
  let done = false;
  for (const raw of text.split(/\r?\n|\r/)) {
    const at = raw.indexOf('GBA ');
    if (at < 0) continue;
    const line = raw.slice(at + 4).trim();
    const words = line.split(/\s+/);
    if (words[0] === 'B' && words.length === 4 && /^\d+$/.test(words[2]!) && /^[A-Za-z0-9+/=]{1,48}$/.test(words[3]!)) {
      const list = chunks.get(words[1]!) ?? [];
      const index = Number(words[2]);
      // A line cut short is shorter than 48 unless it is the last: keep the longer of the two copies.
      if ((list[index]?.length ?? 0) < words[3]!.length) list[index] = words[3]!;
      chunks.set(words[1]!, list);
      continue;
    }
    if (words[0] === 'E' && words.length === 4 && /^\d+$/.test(words[2]!) && /^[0-9a-f]{32}$/.test(words[3]!)) {
      ends.set(words[1]!, { count: Number(words[2]), md5: words[3]! });
      continue;
    }
    lines.push(line);
    if (words[0] === 'DONE') done = true;
    const step = /^STEP (\S+) rc (\d+) secs ([\d.]+)$/.exec(line);
    if (step) steps.set(step[1]!, { rc: Number(step[2]), secs: Number(step[3]) });
  }
  const files = new Map<string, Buffer>();
  const damaged = new Map<string, string>();
  for (const [name, { count, md5 }] of ends) {
    const list = chunks.get(name) ?? [];
    const missing = [...Array(count).keys()].filter((index) => !list[index] || (index < count - 1 && list[index]!.length !== 48));
    if (missing.length > 0) {
      damaged.set(name, `lines ${missing.join(',')} of ${count} missing or cut short in both copies`);
      continue;
    }
    try {
      const file = gunzipSync(Buffer.from(list.slice(0, count).join(''), 'base64'));
      if (createHash('md5').update(file).digest('hex') === md5) files.set(name, file);
      else damaged.set(name, 'md5 differs');
    } catch (error) {
      damaged.set(name, `not gzip: ${(error as Error).message}`);
    }
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
