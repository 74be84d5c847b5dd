// Bundles the FUSE kernel-model server (bench/model-on-fuse.ts, test/fuse, test/sim) for the benchmark:
// dist-bench/model-on-fuse.mjs. Its two C programs are compiled by gcc on first use (test/fuse/native.ts).
import { build } from 'esbuild';

await build({
  entryPoints: ['bench/model-on-fuse.ts'],
  outfile: 'dist-bench/model-on-fuse.mjs',
  bundle: true,
  platform: 'node',
  target: 'node18',
  // ESM: the entry waits for its mount with top-level await.
  format: 'esm',
  banner: { js: "import { createRequire } from 'node:module'; import { fileURLToPath } from 'node:url'; const require = createRequire(import.meta.url); const __dirname = fileURLToPath(new URL('.', import.meta.url));" },
  logLevel: 'warning',
});
