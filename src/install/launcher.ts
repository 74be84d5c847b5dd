// /usr/bin/guest-boot-agent: a launcher in front of the bundle. The bundle is modern JavaScript that Node 10, 12
// or 16 cannot even parse (a SyntaxError before its first statement); the launcher is ES5 that any Node parses,
// so an image with a too-old Node says so clearly and exits 2. Its #! line names the interpreter (`--node`).
// Pure: text in, text out.

/** Where `install` puts the bundle the launcher runs. */
export const LIB_DIR = '/usr/lib/guest-boot-agent';
export const BUNDLE_PATH = `${LIB_DIR}/guest-boot-agent.js`;
/** The interpreter when none is named and none was chosen before: what the bundle's own #! line says. */
export const DEFAULT_INTERPRETER = '/usr/bin/env node';
/** The oldest Node the bundle runs on (package.json engines, DESIGN §11). */
export const MIN_NODE = { major: 18, minor: 19 } as const;
/** The second line of every launcher: how `install` recognises one it wrote. */
const MARKER = '// guest-boot-agent launcher';
/**
 * The kernel reads at most 127 bytes of a #! line before Linux 5.1 (BINPRM_BUF_SIZE 128) and cuts longer ones;
 * a path, no spaces (the kernel would split it), nothing a shell or the kernel could read otherwise.
 */
const INTERPRETER_PATH = /^\/[A-Za-z0-9._+/-]{1,120}$/;

/** Why `path` cannot be the launcher's interpreter, or undefined when it can. */
export function checkNodePath(path: string): string | undefined {
  if (!INTERPRETER_PATH.test(path)) return `--node ${JSON.stringify(path)}: must be an absolute path of at most 121 characters from [A-Za-z0-9._+/-] (it becomes the launcher's #! line)`;
  if (path.split('/').some((part) => part === '..' || part === '.')) return `--node ${JSON.stringify(path)}: must not contain . or .. components`;
  return undefined;
}

/** The launcher for `interpreter` (a #! line's content) running the bundle at `bundlePath`. */
export function launcherText(interpreter: string, bundlePath: string = BUNDLE_PATH): string {
  // Every line below must stay ES5 (var, function, no arrows, no template literals): Node 10 parses it.
  // The test (test/unit/install/launcher.test.ts) checks that, and the image test runs it on Debian 11's Node 12.
  return `#!${interpreter}
${MARKER}, written by \`guest-boot-agent install\`: checks the Node version in syntax every Node parses, then runs the bundle.
'use strict';
var bundle = ${JSON.stringify(bundlePath)};
var version = process.versions.node.split('.');
var major = Number(version[0]);
var minor = Number(version[1]);
if (major < ${MIN_NODE.major} || (major === ${MIN_NODE.major} && minor < ${MIN_NODE.minor})) {
  var message = 'guest-boot-agent needs Node >= ${MIN_NODE.major}.${MIN_NODE.minor}, but ' + process.execPath + ' is ' + process.version +
    ': install a newer Node.js (or the official build) and run "<that node> ' + bundle + ' install --node <that node>"';
  if (process.argv.indexOf('--json') !== -1) process.stdout.write(JSON.stringify({ command: null, exitCode: 2, error: message }) + '\\n');
  process.stderr.write(message + '\\n');
  process.exitCode = 2;
} else {
  // As if node had been given the bundle itself: it installs itself from argv[1].
  process.argv[1] = bundle;
  require(bundle);
}
`;
}

/** The #! content of a launcher `install` wrote, or undefined for anything else (the old layout's bundle included). */
export function launcherInterpreter(content: Uint8Array): string | undefined {
  const head = new TextDecoder().decode(content.subarray(0, 512));
  const [first, second] = head.split('\n');
  if (!first?.startsWith('#!') || !second?.startsWith(MARKER)) return undefined;
  const interpreter = first.slice(2);
  return interpreter === DEFAULT_INTERPRETER || checkNodePath(interpreter) === undefined ? interpreter : undefined;
}

/** Whether `content` is a launcher rather than a bundle (`--bundle` must name the bundle). */
export function isLauncher(content: Uint8Array): boolean {
  return new TextDecoder().decode(content.subarray(0, 512)).split('\n')[1]?.startsWith(MARKER) === true;
}
