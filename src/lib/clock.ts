// Time as pure code receives it: handed in, never read (the real one is host/clock.ts, the simulator's in test/sim).

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are meaningful. */
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
