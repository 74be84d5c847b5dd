// Reads the guest's console: short "GBA …" lines (BOOT, STEP, RESULTS, DONE), tolerant of what Hercules' 3215
// console does to lines (prefixes before "GBA", other output interleaved). The outputs themselves travel on the
// results disk (results-disk.ts): the console is no transport for files.
import type { Results } from './results-disk.js';

export interface Step {
  rc: number;
  secs: number;
}

export interface ConsoleReport {
  /** Every "GBA" line, without the prefix, in order. */
  lines: string[];
  steps: Map<string, Step>;
  /** What the guest said it wrote to the results disk: the tar's length and md5, and dd's exit. */
  results?: { bytes: number; md5: string; rc: number };
  done: boolean;
}

/** The console's lines and the results disk's files, cross-checked (readResults). */
export type GuestReport = ConsoleReport & Results;

export function parseConsole(text: string): ConsoleReport {
  const lines: string[] = [];
  const steps = new Map<string, Step>();
  let results: ConsoleReport['results'];
  let done = false;
  for (const raw of text.split(/\r?\n|\r/)) {
    const at = raw.indexOf('GBA ');
    if (at < 0) continue;
    const line = raw.slice(at + 4).trim();
    lines.push(line);
    if (line === 'DONE') done = true;
    const step = /^STEP (\S+) rc (\d+) secs ([\d.]+)$/.exec(line);
    if (step) steps.set(step[1]!, { rc: Number(step[2]), secs: Number(step[3]) });
    const shipped = /^RESULTS bytes (\d+) md5 ([0-9a-f]{32}) rc (\d+)$/.exec(line);
    if (shipped) results = { bytes: Number(shipped[1]), md5: shipped[2]!, rc: Number(shipped[3]) };
  }
  return { lines, steps, results, done };
}

/** A file from the results disk as text; throws naming the file when the guest did not write it. */
export function fileText(report: GuestReport, name: string): string {
  const file = report.files.get(name);
  if (!file) throw new Error(`the results disk holds no ${name} (it holds: ${[...report.files.keys()].join(' ')})`);
  return file.toString('utf8');
}

/** A JSON document from the results disk (the agent's --json output). */
export function fileJson<T = Record<string, unknown>>(report: GuestReport, name: string): T {
  const text = fileText(report, name);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${name} is not one JSON document: ${(error as Error).message}\n${text}`, { cause: error });
  }
}

/** A step's exit and time as recorded on the results disk (the console's copy agrees: readResults checks). */
export function step(report: GuestReport, name: string): Step {
  const found = report.steps.get(name);
  if (!found) throw new Error(`the guest never recorded step ${name}`);
  return found;
}
