import { defineConfig } from 'vitest/config';

// `npm run test:boot`: the agent in booted systems under QEMU and Hyperion (test/boot). Separate from
// `vitest run` because it needs root, emulators and, on a cold cache, kernels and roots to build.
export default defineConfig({
  test: {
    include: ['test/boot/**/*.test.ts'],
    setupFiles: ['test/setup/fail-on-warning.ts'],
    // One boot under TCG takes about a minute on 2 cores; a test may boot more than once.
    testTimeout: 15 * 60_000,
    // A cold cache builds roots, fetches kernels and builds Hyperion.
    hookTimeout: 30 * 60_000,
    // Boots are heavy: one file at a time keeps them within the 2 cores.
    fileParallelism: false,
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
});
