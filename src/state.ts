// Per-command run records in /run/guest-boot-agent, written atomically for `show` and operators.
import type { FilesReader, FilesWriter } from './host/host.js';
import type { Logger } from './log.js';

export const STATE_DIR = '/run/guest-boot-agent';

/** The path of a command's last-run record. */
export const statePath = (command: string): string => `${STATE_DIR}/${command}.json`;

/** Writes the run record of `command` (a JSON document). */
export async function writeState(files: FilesWriter, command: string, record: object): Promise<void> {
  await files.writeAtomic(statePath(command), `${JSON.stringify(record, null, 2)}\n`, 0o644);
}

/** Reads a run record; undefined when absent, `{unreadable: reason}` when corrupt. */
export async function readState(files: FilesReader, command: string): Promise<unknown> {
  const text = await files.read(statePath(command));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
}

/** Records a finished run; a failed write is logged, never fatal (the devices are configured either way). */
export async function recordRun(files: FilesWriter, log: Logger, name: string, record: object): Promise<void> {
  await writeState(files, name, record).catch((error: unknown) => {
    log.warn('state', `cannot record the run in ${statePath(name)}: ${(error as Error).message}`);
  });
}
