// Reads what a guest's observer wrote on a serial port: sections between "@@GBA-BEGIN <name>" and
// "@@GBA-END <name> rc=<n>" lines. Tolerant: carriage returns, NULs and escape sequences are dropped, a
// section cut off by a crash ends at the next BEGIN or at the end, and lines outside sections are ignored.

export interface Section {
  name: string;
  lines: string[];
  /** The exit status of the section's command; null when its END line never came. */
  rc: number | null;
}

export type Report = Map<string, Section>;

/** The sections of `text`, by name (a repeated name: the last one). */
export function parseReport(text: string): Report {
  const report: Report = new Map();
  let current: Section | undefined;
  const clean = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\r\0]/g, '');
  for (const line of clean.split('\n')) {
    const begin = /@@GBA-BEGIN (\S+)/.exec(line);
    if (begin) {
      current = { name: begin[1] as string, lines: [], rc: null };
      report.set(current.name, current);
      continue;
    }
    const end = /@@GBA-END (\S+) rc=(\d+)/.exec(line);
    if (end) {
      if (current !== undefined && current.name === end[1]) current.rc = Number(end[2]);
      current = undefined;
      continue;
    }
    current?.lines.push(line);
  }
  return report;
}

/** The lines of a section, empty when the observer never wrote it. */
export function sectionLines(report: Report, name: string): string[] {
  return report.get(name)?.lines ?? [];
}

/**
 * `systemctl show` blocks (Key=Value lines, a blank line between units) by their Id. Values stay strings;
 * monotonic timestamps are in microseconds since boot, 0 when the state was never entered.
 */
export function parseUnitProperties(lines: readonly string[]): Map<string, Record<string, string>> {
  const units = new Map<string, Record<string, string>>();
  let current: Record<string, string> = {};
  const flush = () => {
    if (current.Id) units.set(current.Id, current);
    current = {};
  };
  for (const line of lines) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) current[match[1] as string] = match[2] as string;
    else if (line.trim() === '') flush();
  }
  flush();
  return units;
}

export interface JournalLine {
  /** Seconds since boot, from `journalctl -o short-monotonic`. */
  at: number;
  /** What follows the timestamp: "host ident[pid]: message". */
  text: string;
}

/** `journalctl -o short-monotonic` lines with their timestamps; other lines (headers, cut pieces) dropped. */
export function parseJournal(lines: readonly string[]): JournalLine[] {
  return lines.flatMap((line) => {
    const match = /^\[\s*(\d+\.\d+)\]\s+(.*)$/.exec(line.trim());
    return match ? [{ at: Number(match[1]), text: match[2] as string }] : [];
  });
}
