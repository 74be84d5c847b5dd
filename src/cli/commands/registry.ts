// The commands, their arguments and options; implementations load lazily so start-up stays cheap.
import type { ExitCode } from '../exit-code.js';
import type { RunContext } from '../context.js';

export type CommandRun = (ctx: RunContext, args: string[], options: Record<string, unknown>) => Promise<ExitCode>;

export interface CommandSpec {
  name: string;
  /** Early (before the network) or late (after network-online), as the units order them. */
  stage: 'early' | 'late' | 'manual';
  summary: string;
  args: string[];
  options: { flags: string; description: string; defaultValue?: string }[];
  load(): Promise<{ run: CommandRun }>;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'qeth',
    stage: 'early',
    summary: 'boot mode: free, group and configure every qeth device named on the kernel command line',
    args: [],
    options: [{ flags: '--force', description: 'take an online device whose portno/layer2 differ offline to reconfigure it (disruptive)' }],
    load: () => import('./qeth.js'),
  },
  {
    name: 'setmac',
    stage: 'early',
    summary: "udev mode: set one qeth interface's MAC from the kernel command line",
    args: ['<device>'],
    options: [],
    load: () => import('./setmac.js'),
  },
  {
    name: 'show',
    stage: 'manual',
    summary: 'debug: the parsed command line, the observed device state and the last runs',
    args: [],
    options: [],
    load: () => import('./show.js'),
  },
];
