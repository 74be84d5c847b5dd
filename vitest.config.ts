import { readFileSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // Unit files and udev rules load as text, as esbuild's text loader does in the bundle (scripts/build.mjs).
  plugins: [
    {
      name: 'text-assets',
      enforce: 'pre',
      transform: (code: string, id: string) => (/\.(service|rules)$/.test(id) ? { code: `export default ${JSON.stringify(code)};`, map: null } : undefined),
    },
  ],
  define: { AGENT_VERSION: JSON.stringify(pkg.version) },
  test: {
    include: ['test/**/*.test.ts'],
    // test/image and test/boot need root, Debian roots and emulators: `npm run test:image` and `npm run test:boot`.
    exclude: [...configDefaults.exclude, 'test/image/**', 'test/boot/**'],
    setupFiles: ['test/setup/fail-on-warning.ts'],
    // The simulated kernel uses real time for latency; keep headroom on a loaded 2-core CI machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
});
