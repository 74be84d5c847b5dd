// Reads the guest's console: "GBA …" result lines and files shipped gzipped and base64-encoded, three times
// ("GBA B <copy> <name> <n> <chunk>", "GBA E <copy> <name> <lines>"). Tolerant of what Hercules' 3215 console does to
// lines: lines lost or cut short, prefixes before "GBA", other output interleaved.
import { gunzipSync } from 'node:zlib';

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
  // Each file arrives up to three times, each copy cut into chunks of its own width: key "<copy> <name>".
  const chunks = new Map<string, string[]>();
  const ends = new Map<string, number>();
  const steps = new Map<string, Step>();
  let done = false;
  for (const raw of text.split(/\r?\n|\r/)) {
    const at = raw.indexOf('GBA ');
    if (at < 0) continue;
    const line = raw.slice(at + 4).trim();
    const words = line.split(/\s+/);
    if (words[0] === 'B' && words.length === 5 && /^\d+$/.test(words[3]!) && /^[A-Za-z0-9+/=]+$/.test(words[4]!)) {
      const key = `${words[1]} ${words[2]}`;
      const list = chunks.get(key) ?? [];
      list[Number(words[3])] = words[4]!;
      chunks.set(key, list);
      continue;
    }
    if (words[0] === 'E' && words.length === 4 && /^\d+$/.test(words[3]!)) {
      ends.set(`${words[1]} ${words[2]}`, Number(words[3]));
      continue;
    }
    lines.push(line);
    if (words[0] === 'DONE') done = true;
    const step = /^STEP (\S+) rc (\d+) secs ([\d.]+)$/.exec(line);
    if (step) steps.set(step[1]!, { rc: Number(step[2]), secs: Number(step[3]) });
  }
  const files = new Map<string, Buffer>();
  const damaged = new Map<string, string>();
  for (const [key, count] of ends) {
    const name = key.slice(key.indexOf(' ') + 1);
    if (files.has(name)) continue;
    const list = chunks.get(key) ?? [];
    const missing = [...Array(count).keys()].filter((index) => !list[index]);
    if (missing.length > 0) {
      damaged.set(name, `${damaged.has(name) ? `${damaged.get(name)}; ` : ''}copy ${key.split(' ')[0]}: lines ${missing.join(',')} of ${count} missing`);
      continue;
    }
    try {
      // gunzip checks the CRC and length of the whole: a line cut short or mangled fails here.
      files.set(name, gunzipSync(Buffer.from(list.slice(0, count).join(''), 'base64')));
      damaged.delete(name);
    } catch (error) {
      damaged.set(name, `${damaged.has(name) ? `${damaged.get(name)}; ` : ''}copy ${key.split(' ')[0]}: ${(error as Error).message}`);
    }
  }
  for (const key of chunks.keys()) {
    const name = key.slice(key.indexOf(' ') + 1);
    if (!files.has(name) && ![...ends.keys()].some((end) => end.endsWith(` ${name}`))) damaged.set(name, 'no end line arrived');
  }
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
