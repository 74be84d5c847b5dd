// Bundles the agent into one executable file for Node >= 18: dist/guest-boot-agent.js.
import { chmod, readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
// `--sim`: the same CLI composed with the simulated kernel, for benchmarks and process-level tests only.
const sim = process.argv.includes('--sim');
const outfile = sim ? 'dist-bench/agent-on-sim.js' : 'dist/guest-boot-agent.js';

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
  logLevel: 'warning',
});
await chmod(outfile, 0o755);
