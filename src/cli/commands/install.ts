// `install`: put this bundle (behind a launcher naming its Node), the units and the udev rule into --root, and enable the chosen units.
import { InputUnavailableError, UsageError } from '../../errors.js';
import { applyInstall } from '../../install/apply.js';
import { FEATURES } from '../../install/assets.js';
import { checkNodePath, isLauncher } from '../../install/launcher.js';
import { observeImage } from '../../install/observe.js';
import { chooseInterpreter, describeInstallAction, parseEnableList, pathsToObserve, planInstall, wantedFiles } from '../../install/plan.js';
import type { RunContext } from '../context.js';
import type { ExitCode } from '../exit-code.js';
import { exitCodeFor } from '../exit-code.js';
import { renderJson } from '../render.js';

/** Far above the bundle's 350 KB budget, far below anything that could hurt. */
const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

export async function run(ctx: RunContext, _args: string[], options: Record<string, unknown>): Promise<ExitCode> {
  const enable = parseEnableList(String(options.enable ?? 'qeth,setmac,sriov'));
  if (typeof enable === 'string') throw new UsageError(enable);
  const node = typeof options.node === 'string' ? options.node : undefined;
  const nodeProblem = node === undefined ? undefined : checkNodePath(node);
  if (nodeProblem) throw new UsageError(`install: ${nodeProblem}`);
  const fs = ctx.createImageFs(ctx.options.root);
  if ((await fs.lstat('/')).kind !== 'dir') throw new UsageError(`install: --root ${ctx.options.root} is not a directory`);
  // A path inside the image; a symlink (Debian's /usr/bin/node -> nodejs) is taken as it is.
  const nodeEntry = node === undefined ? undefined : await fs.lstat(node);
  if (nodeEntry && nodeEntry.kind !== 'file' && nodeEntry.kind !== 'symlink') {
    throw new UsageError(`install: --node ${node} is ${nodeEntry.kind === 'missing' ? 'not' : 'not a file'} in ${fs.root}: the launcher's interpreter must exist in the image`);
  }
  const bundlePath = typeof options.bundle === 'string' ? options.bundle : ctx.bundlePath;
  if (!bundlePath) throw new UsageError('install: cannot tell which file this agent runs from; name it with --bundle <file>');
  const bundle = await ctx.host.input.read(bundlePath, MAX_BUNDLE_BYTES).catch((error: unknown) => {
    throw new InputUnavailableError(`install: cannot read the bundle ${bundlePath}: ${(error as Error).message}`, { cause: error });
  });
  if (!new TextDecoder().decode(bundle.subarray(0, 2)).startsWith('#!')) throw new UsageError(`install: ${bundlePath} is not an executable script (no #! line); --bundle must name dist/guest-boot-agent.js`);
  if (isLauncher(bundle)) throw new UsageError(`install: ${bundlePath} is the launcher, not the bundle; --bundle must name dist/guest-boot-agent.js`);

  const observed = await observeImage(fs, pathsToObserve(FEATURES));
  const interpreter = chooseInterpreter(node, observed);
  const files = wantedFiles(FEATURES, { bundle, interpreter }, enable, observed);
  const { actions, problems } = planInstall(FEATURES, files, enable, observed);
  for (const problem of problems) ctx.log.error(problem.target, problem.error ?? 'cannot be installed');
  const results = ctx.options.dryRun ? [...problems] : [...problems, ...(await applyInstall({ fs, exec: ctx.host.exec, log: ctx.log }, actions, files))];
  const code = exitCodeFor({ results, rejected: [] });
  if (actions.length === 0 && problems.length === 0) ctx.log.info('install', `nothing to do: ${fs.root} is up to date${enable.length ? ` and has ${enable.join(', ')} enabled` : ''}`);
  else if (!ctx.options.dryRun && code === 0) ctx.log.info('install', `done: ${actions.length} change${actions.length === 1 ? '' : 's'} in ${fs.root}`);
  if (ctx.options.json) {
    ctx.out(renderJson({ command: 'install', dryRun: ctx.options.dryRun, root: fs.root, bundle: bundlePath, node: interpreter, enable, entries: [], rejected: [], actions, results, exitCode: code }));
  } else if (ctx.options.dryRun) {
    const lines = actions.flatMap((action, index) => [`  ${index + 1}. ${describeInstallAction(action, fs.root)}`, `     # ${action.why}`]);
    ctx.out(`${fs.root}:\n${lines.length ? lines.join('\n') : '  nothing to do (already installed)'}\n`);
  }
  return code;
}
