import { defineConfig } from 'vitest/config';

// `npm run test:image`: the DIB elements in a real Debian 12 root (test/image). Separate from `vitest run`
// because it needs root and, on a cold cache, a few minutes of debootstrap.
export default defineConfig({
  test: {
    include: ['test/image/**/*.test.ts'],
    setupFiles: ['test/setup/fail-on-warning.ts'],
    testTimeout: 120_000,
    // A cold cache debootstraps Debian 12 (about a minute on a good mirror); leave room for a slow one.
    hookTimeout: 30 * 60_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
});
