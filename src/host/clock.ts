// The real clock; pure code never reads time itself (it is handed `now`).
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './host.js';

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms, signal) => {
    await delay(ms, undefined, signal ? { signal } : undefined);
  },
};
