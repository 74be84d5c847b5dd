// Journald-aware logger: `<N>` syslog priority prefixes under systemd, plain words on a TTY.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** Every line names its target (bus id, interface, PF, or a step such as "cmdline"). */
export interface Logger {
  error(target: string, message: string): void;
  warn(target: string, message: string): void;
  info(target: string, message: string): void;
  debug(target: string, message: string): void;
}

const PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };
const TTY_PREFIX: Record<LogLevel, string> = { error: 'error: ', warn: 'warning: ', info: '', debug: 'debug: ' };

export interface LoggerOptions {
  level: LogLevel;
  /** Prefix lines with `<N>` for journald (JOURNAL_STREAM set, or stderr is not a TTY). */
  journal: boolean;
  /** Receives whole lines without the newline. */
  sink: (line: string) => void;
}

/** A logger writing one line per event to `sink`. */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = PRIORITY[options.level];
  const emit = (level: LogLevel) => (target: string, message: string) => {
    if (PRIORITY[level] > threshold) return;
    const prefix = options.journal ? `<${PRIORITY[level]}>` : TTY_PREFIX[level];
    // One event, one line: a stray newline from stderr of a tool must not split it.
    options.sink(`${prefix}${target}: ${message.replace(/\s*\n\s*/g, ' | ')}`);
  };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}

/** Whether to use journald prefixes, from the environment and stderr. */
export function wantsJournalPrefix(env: NodeJS.ProcessEnv, stderrIsTty: boolean): boolean {
  return Boolean(env.JOURNAL_STREAM) || !stderrIsTty;
}
