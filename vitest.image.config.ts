import { defineConfig } from 'vitest/config';

// `npm run test:image`: the DIB elements in real Debian 11, 12 and 13 roots (test/image). Separate from `vitest
// run` because it needs root and, on a cold cache, a few minutes of debootstrap (the global setup makes the
// three roots and the pinned Node tarball in parallel; each test file then extracts its own copies).
export default defineConfig({
  test: {
    include: ['test/image/**/*.test.ts'],
    globalSetup: ['test/image/global-setup.ts'],
    setupFiles: ['test/setup/fail-on-warning.ts'],
    testTimeout: 120_000,
    // One worker per release file: much of a build is waiting (chroot, systemctl, node start-up), not computing.
    maxWorkers: 3,
    minWorkers: 1,
    // Cold cache work happens in the global setup; a fresh copy and a whole build per beforeAll, on a busy machine.
    hookTimeout: 30 * 60_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
});
