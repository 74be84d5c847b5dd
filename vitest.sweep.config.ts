// npm run test:sweep: the crash and error sweeps through the FUSE kernel model (test/fuse/*.sweep.ts). Hundreds of
// agent processes: minutes, so not part of the main `vitest run`.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Not mergeConfig: it concatenates arrays, so the main suite's `include` would come along and run again here.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/fuse/**/*.sweep.ts'],
    exclude: [],
    testTimeout: 1_800_000,
    hookTimeout: 60_000,
  },
});
