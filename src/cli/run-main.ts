// Runs the program for one argv and maps every outcome and exception to an exit code.
import { CommanderError } from 'commander';
import { InputUnavailableError, UsageError, messageOf } from '../errors.js';
import { createLogger, wantsJournalPrefix } from '../log.js';
import type { MainDeps } from './context.js';
import { ExitCode } from './exit-code.js';
import { buildProgram } from './program.js';

/** Parses `argv` (process.argv form) and runs the chosen command; resolves to the exit code. */
export async function runMain(argv: readonly string[], deps: MainDeps): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  const program = buildProgram(deps, (result) => {
    code = result;
  });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (error) {
    return exitCodeForError(error, deps);
  }
}

function exitCodeForError(error: unknown, deps: MainDeps): ExitCode {
  // commander has already printed its own message for these.
  if (error instanceof CommanderError) {
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? ExitCode.ok : ExitCode.usage;
  }
  const log = createLogger({ level: 'error', journal: wantsJournalPrefix(deps.env, deps.stderrIsTty), sink: (line) => deps.stderr(`${line}\n`) });
  // Also as the cause of another error (a source that wrapped a refused program): usage wins, it is why.
  const usage = causeChain(error).find((link) => link instanceof UsageError);
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

/** `error`, its cause, its cause's cause… (bounded: a cycle must not hang the exit). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let link = error; link !== undefined && chain.length < 8; link = link instanceof Error ? link.cause : undefined) chain.push(link);
  return chain;
}
