// Runs the program for one argv and maps every outcome and exception to an exit code.
import type { Command } from 'commander';
import { CommanderError } from 'commander';
import { InputUnavailableError, UsageError, messageOf } from '../errors.js';
import { createLogger, wantsJournalPrefix } from '../log.js';
import type { MainDeps } from './context.js';
import { ExitCode } from './exit-code.js';
import { buildProgram } from './program.js';
import { failureDocument, renderJson } from './render.js';

/**
 * Parses `argv` (process.argv form) and runs the chosen command; resolves to the exit code. With `--json`, exactly
 * one JSON document reaches stdout for every run (help and version excepted): the command's own, or — when it
 * failed before writing one (usage error, input unavailable, a bug) — `{command, dryRun, exitCode, error}`.
 */
export async function runMain(argv: readonly string[], deps: MainDeps): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  let wroteStdout = false;
  const tracked: MainDeps = { ...deps, stdout: (text) => ((wroteStdout = true), deps.stdout(text)) };
  const program = buildProgram(tracked, (result) => {
    code = result;
  });
  let error: string | null = null;
  try {
    await program.parseAsync([...argv]);
  } catch (caught) {
    if (isHelpOrVersion(caught)) return ExitCode.ok;
    code = exitCodeForError(caught, deps);
    error = caught instanceof CommanderError ? commanderMessage(caught) : messageOf(usageCause(caught) ?? caught);
  }
  const request = jsonRequest(program, argv);
  if (request.json && !wroteStdout) deps.stdout(renderJson(failureDocument({ command: request.command, dryRun: request.dryRun, exitCode: code, error })));
  return code;
}

function isHelpOrVersion(error: unknown): boolean {
  return error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.version');
}

/** commander's own words, without its "error: " prefix; it shows help (on stderr) when no command was named. */
function commanderMessage(error: CommanderError): string {
  return error.code === 'commander.help' ? 'no command given' : error.message.replace(/^error: /, '');
}

function exitCodeForError(error: unknown, deps: MainDeps): ExitCode {
  // commander has already printed its own message for these.
  if (error instanceof CommanderError) return ExitCode.usage;
  const log = createLogger({ level: 'error', journal: wantsJournalPrefix(deps.env, deps.stderrIsTty), sink: (line) => deps.stderr(`${line}\n`) });
  // Also as the cause of another error (a source that wrapped a refused program): usage wins, it is why.
  const usage = usageCause(error);
  if (usage) {
    log.error('guest-boot-agent', usage.message);
    return ExitCode.usage;
  }
  if (error instanceof InputUnavailableError) {
    log.error('guest-boot-agent', messageOf(error));
    return ExitCode.unavailable;
  }
  log.error('guest-boot-agent', `internal error, this is a bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.failed;
}

/** The UsageError in `error`'s cause chain (bounded: a cycle must not hang the exit), if any. */
function usageCause(error: unknown): UsageError | undefined {
  let link = error;
  for (let depth = 0; link !== undefined && depth < 8; depth++, link = link instanceof Error ? link.cause : undefined) {
    if (link instanceof UsageError) return link;
  }
  return undefined;
}

/**
 * Whether the run asked for --json, for which command and whether dry: read from argv itself, since a run that
 * failed to parse has no options. A token counts only where it is not the value of an option that takes one.
 */
function jsonRequest(program: Command, argv: readonly string[]): { json: boolean; command: string | null; dryRun: boolean } {
  const commands = new Map(program.commands.map((command) => [command.name(), command]));
  const takesValue = new Set([...program.options, ...program.commands.flatMap((command) => command.options)].filter((option) => option.required || option.optional).flatMap((option) => [option.long, option.short].filter((flag): flag is string => flag !== undefined)));
  const request = { json: false, command: null as string | null, dryRun: false };
  const tokens = argv.slice(2);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '--') break;
    if (takesValue.has(token)) i++;
    else if (token === '--json') request.json = true;
    else if (token === '--dry-run') request.dryRun = true;
    else if (request.command === null && !token.startsWith('-') && commands.has(token)) request.command = token;
  }
  return request;
}
