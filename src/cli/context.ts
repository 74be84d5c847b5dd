// Composition root: global options → the RunContext every command receives.
import type { Host } from '../host/host.js';
import type { ImageFs } from '../host/host.js';
import { InputUnavailableError } from '../errors.js';
import { execWithinDeadline } from '../host/exec.js';
import type { Deadline } from '../lib/deadline.js';
import { createDeadline } from '../lib/deadline.js';
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
  /** Aborted (reason: InterruptedError) when the process gets SIGTERM or SIGINT; absent where nothing sends signals. */
  signal?: AbortSignal;
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
  /** The process environment (sriov: whether it runs under systemd). */
  env: NodeJS.ProcessEnv;
  /** The kernel command line; InputUnavailableError (exit 3) when it cannot be read. */
  readCmdline(): Promise<string>;
  /** The run's one deadline (src/run-budget.ts): every wait, retry, program call and fetch takes its time from it. */
  deadline: Deadline;
  /** Aborted on SIGTERM/SIGINT: commands stop starting steps, run the due undo steps and record the run. */
  signal: AbortSignal;
}

export const PROC_CMDLINE = '/proc/cmdline';

/** Builds the context for one command run. */
export function createContext(options: GlobalOptions, deps: MainDeps, budgetMs: number): RunContext {
  const raw = deps.createHost(options.root);
  // Created once, here, from the host's clock: commands and the plan runner only ask it for remaining time.
  const deadline = createDeadline(() => raw.clock.now(), budgetMs);
  const host: Host = { ...raw, exec: execWithinDeadline(raw.exec.bind(raw), deadline) };
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
    deadline,
    signal: deps.signal ?? new AbortController().signal,
    env: deps.env,
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
