// The commands, their arguments and options; implementations load lazily so start-up stays cheap.
import type { ExitCode } from '../exit-code.js';
import type { RunContext } from '../context.js';
import { DEFAULT_FETCH_TIMEOUT_S, PF_WAIT_MS } from '../../run-budget.js';

export type CommandRun = (ctx: RunContext, args: string[], options: Record<string, unknown>) => Promise<ExitCode>;

export interface CommandSpec {
  name: string;
  summary: string;
  args: string[];
  options: { flags: string; description: string; defaultValue?: string; choices?: string[] }[];
  load(): Promise<{ run: CommandRun }>;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'qeth',
    summary: 'boot mode: free, group and configure every qeth device named on the kernel command line',
    args: [],
    options: [{ flags: '--force', description: 'take an online device whose portno/layer2 differ offline to reconfigure it (disruptive)' }],
    load: () => import('./qeth.js'),
  },
  {
    name: 'setmac',
    summary: "udev mode: set one qeth interface's MAC from the kernel command line",
    args: ['<device>'],
    options: [],
    load: () => import('./setmac.js'),
  },
  {
    name: 'sriov',
    summary: "vendor-data mode: create Mellanox InfiniBand SR-IOV VFs with the GUIDs in Nova's vendor_data2.json",
    args: [],
    options: [
      { flags: '--metadata-url <url>', description: 'metadata URL (default http://169.254.169.254/openstack/latest/vendor_data2.json)' },
      { flags: '--vendor-data <file>', description: 'read the document from a file instead (- = stdin)' },
      { flags: '--config-drive', description: 'read openstack/latest/vendor_data2.json from the config drive' },
      { flags: '--timeout <seconds>', description: 'total budget for fetching the vendor data; an mlnx_sriov of {} is fetched again for min(30 s, a quarter of it), counted from the first {}, before it counts as nothing to do (the run deadline is this plus 150 s to create and bind the VFs)', defaultValue: String(DEFAULT_FETCH_TIMEOUT_S) },
      { flags: '--pf-wait <seconds>', description: 'how long a PF the vendor data names may take to appear (mlx5 probe, zPCI hotplug), within the run deadline', defaultValue: String(PF_WAIT_MS / 1000) },
      { flags: '--guid-layout <layout>', description: 'virtual_guids layout: pf-major ([pf][vf]) or pkey-major ([pkey][pf])', defaultValue: 'pf-major', choices: ['pf-major', 'pkey-major'] },
    ],
    load: () => import('./sriov.js'),
  },
  {
    name: 'show',
    summary: 'debug: the parsed command line, the observed device state and the last runs',
    args: [],
    options: [],
    load: () => import('./show.js'),
  },
  {
    name: 'install',
    summary: 'copy this bundle, the systemd units and the udev rule into --root and enable the chosen units (idempotent)',
    args: [],
    options: [
      { flags: '--enable <list>', description: 'units to enable: comma-separated qeth, setmac, sriov, or none; never disables anything', defaultValue: 'qeth,setmac,sriov' },
      { flags: '--bundle <file>', description: 'the bundle to install (default: the file this agent runs from)' },
      { flags: '--node <path>', description: "the Node.js (>= 18.19) in the image that runs the agent: the launcher's #! line (default: the one installed before, else /usr/bin/env node)" },
    ],
    load: () => import('./install.js'),
  },
];
