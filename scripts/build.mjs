// Bundles the agent into one executable file for Node >= 18: dist/guest-boot-agent.js.
import { chmod, readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
// `--sim`: the same CLI composed with the simulated kernel, for benchmarks and process-level tests only.
const sim = process.argv.includes('--sim');
const outfile = sim ? 'dist-bench/agent-on-sim.js' : 'dist/guest-boot-agent.js';

/**
 * commander requires node:child_process when it loads, for executable subcommands this agent never has. Loading
 * it pulls in net, dgram and the stream stack: milliseconds of every boot. commander gets a stand-in that loads
 * the real module on first use instead (execa, which does use it, is loaded only when a program is run).
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(plugin) {
    plugin.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes('/node_modules/commander/') ? { path: 'child_process', namespace: 'lazy-for-commander' } : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'lazy-for-commander' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [sim ? 'bench/agent-on-sim.ts' : 'src/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  // Debian 12 ships Node 18.19; nothing newer may be assumed on the image.
  target: 'node18',
  // CommonJS: installed as /usr/bin/guest-boot-agent (no extension, no package.json) Node loads it as CJS.
  format: 'cjs',
  // Start-up is dominated by compiling this file (the boot-time bar): keep it small. keepNames would add
  // ~20 KB of name wrappers without making V8's stack traces any more readable.
  minify: true,
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  define: { AGENT_VERSION: JSON.stringify(pkg.version) },
  loader: { '.service': 'text', '.rules': 'text' },
  plugins: [lazyChildProcessForCommander],
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
