// The commander program: global options and command registration, no logic.
import { Command, Option } from 'commander';
import { LOG_LEVELS } from '../log.js';
import type { LogLevel } from '../log.js';
import { VERSION } from '../version.js';
import type { GlobalOptions, MainDeps } from './context.js';
import { createContext } from './context.js';
import type { ExitCode } from './exit-code.js';
import { COMMANDS } from './commands/registry.js';
import type { BudgetedCommand } from '../run-budget.js';
import { runBudgetMs } from '../run-budget.js';

/** Builds the program; `onExit` receives the exit code a command returns. */
export function buildProgram(deps: MainDeps, onExit: (code: ExitCode) => void): Command {
  const program = new Command('guest-boot-agent')
    .description('Configures IBM Z qeth NICs and Mellanox InfiniBand SR-IOV VFs of an OpenStack instance at boot.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    // `qeth --help` lists --root, --cmdline, --dry-run, --json too: they are accepted after the command as well.
    .configureHelp({ showGlobalOptions: true })
    .option('--root <dir>', 'filesystem root for /proc, /sys, /run and /etc', '/')
    .option('--cmdline <text>', 'use this text instead of <root>/proc/cmdline')
    .option('--dry-run', 'observe and plan, print the plan, change nothing', false)
    .option('--json', 'print one JSON document on stdout (logs stay on stderr)', false)
    .addOption(new Option('--log-level <level>', 'error, warn, info or debug').choices(LOG_LEVELS).default('info'))
    .exitOverride()
    .configureOutput({ writeOut: deps.stdout, writeErr: deps.stderr })
    .showSuggestionAfterError();
  for (const spec of COMMANDS) {
    const command = program.command(spec.name).description(spec.summary);
    for (const arg of spec.args) command.argument(arg);
    for (const option of spec.options) {
      const built = new Option(option.flags, option.description);
      if (option.defaultValue !== undefined) built.default(option.defaultValue);
      if (option.choices) built.choices(option.choices);
      command.addOption(built);
    }
    command.action(async (...params: unknown[]) => {
      const self = params.at(-1) as Command;
      const ctx = createContext(globalOptions(self.optsWithGlobals()), deps, runBudgetMs(spec.name as BudgetedCommand, Number(self.opts().timeout)));
      const { run } = await spec.load();
      onExit(await run(ctx, params.slice(0, spec.args.length) as string[], self.opts()));
    });
  }
  return program;
}

function globalOptions(raw: Record<string, unknown>): GlobalOptions {
  return {
    root: String(raw.root ?? '/'),
    cmdline: typeof raw.cmdline === 'string' ? raw.cmdline : undefined,
    dryRun: raw.dryRun === true,
    json: raw.json === true,
    logLevel: raw.logLevel as LogLevel,
  };
}
