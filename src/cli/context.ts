// Composition root: global options → the RunContext every command receives.
import type { Host } from '../host/host.js';
import type { ImageFs } from '../host/host.js';
import { InputUnavailableError } from '../errors.js';
import type { LogLevel, Logger } from '../log.js';
import { createLogger, wantsJournalPrefix } from '../log.js';

export interface GlobalOptions {
  root: string;
  /** Text to use instead of <root>/proc/cmdline. */
  cmdline: string | undefined;
  dryRun: boolean;
  json: boolean;
  logLevel: LogLevel;
}

/** What the process gives the program; tests and the benchmark entry supply their own. */
export interface MainDeps {
  createHost(root: string): Host;
  /** The image tree `install` writes into (a real directory in production, memfs in tests). */
  createImageFs(root: string): ImageFs;
  /** The file this agent runs from (the bundle `install` copies by default); undefined when unknown. */
  bundlePath?: string | undefined;
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  stderrIsTty: boolean;
}

export interface RunContext {
  host: Host;
  log: Logger;
  options: GlobalOptions;
  /** Writes to stdout (the plan, show output, or the --json document). */
  out(text: string): void;
  /** The image root for `install`; paths inside it are image paths. */
  createImageFs(root: string): ImageFs;
  /** The running bundle's path, if known. */
  bundlePath: string | undefined;
  /** The kernel command line; InputUnavailableError (exit 3) when it cannot be read. */
  readCmdline(): Promise<string>;
}

export const PROC_CMDLINE = '/proc/cmdline';

/** Builds the context for one command run. */
export function createContext(options: GlobalOptions, deps: MainDeps): RunContext {
  const host = deps.createHost(options.root);
  const log = createLogger({
    level: options.logLevel,
    journal: wantsJournalPrefix(deps.env, deps.stderrIsTty),
    sink: (line) => deps.stderr(`${line}\n`),
  });
  return {
    host,
    log,
    options,
    out: deps.stdout,
    createImageFs: deps.createImageFs,
    bundlePath: deps.bundlePath,
    async readCmdline() {
      if (options.cmdline !== undefined) return options.cmdline;
      const text = await host.files.read(PROC_CMDLINE).catch((error: unknown) => {
        throw new InputUnavailableError(`cannot read ${PROC_CMDLINE}: ${(error as Error).message}`, { cause: error });
      });
      if (text === undefined) throw new InputUnavailableError(`cannot read ${PROC_CMDLINE}: it does not exist under ${options.root}`);
      return text;
    },
  };
}
