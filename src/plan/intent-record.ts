// The intent record: temporary sysfs settings a run holds (autoprobe off, a driver_override), each with the value
// that puts it back, so a run killed in between is undone by the next one (DESIGN §6). One JSON file, replaced
// atomically on every change; changes from concurrent targets (PF pipelines) are applied one at a time.
import type { FilesReader, FilesWriter } from '../host/host.js';

/** sysfs path → the value that restores it. */
export type Restores = Record<string, string>;

interface IntentRecordFile {
  restore: Restores;
}

/** Per files object and record path: the tail of the update chain (in-process serialisation of read-change-write). */
const chains = new WeakMap<object, Map<string, Promise<unknown>>>();

/** The settings recorded in `path`; an absent file holds none. Throws on a record that is not ours to read. */
export async function readRestores(files: FilesReader, path: string): Promise<Restores> {
  const text = await files.read(path);
  if (text === undefined || text.trim() === '') return {};
  const parsed = JSON.parse(text) as Partial<IntentRecordFile>;
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.restore !== 'object' || parsed.restore === null) throw new Error(`${path}: no "restore" object`);
  return Object.fromEntries(Object.entries(parsed.restore).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Applies `change` to the record at `path` and replaces the file (mode 0600), after any update still in flight. */
export function updateRestores(files: FilesWriter, path: string, change: (restores: Restores) => void): Promise<void> {
  let byPath = chains.get(files);
  if (!byPath) chains.set(files, (byPath = new Map()));
  const previous = byPath.get(path) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(async () => {
    const restores = await readRestores(files, path).catch(() => ({}));
    change(restores);
    await files.writeAtomic(path, `${JSON.stringify({ restore: restores } satisfies IntentRecordFile, null, 2)}\n`, 0o600);
  });
  byPath.set(path, next);
  return next;
}
