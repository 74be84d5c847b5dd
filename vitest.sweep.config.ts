// npm run test:sweep: the crash and error sweeps through the FUSE kernel model (test/fuse/*.sweep.ts). Hundreds of
// agent processes: minutes, so not part of the main `vitest run`.
import { mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

export default mergeConfig(base, {
  test: {
    include: ['test/fuse/**/*.sweep.ts'],
    exclude: [],
    testTimeout: 1_800_000,
    hookTimeout: 60_000,
  },
});
