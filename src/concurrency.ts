// How many devices the agent works on at once, and the thread pool that makes that number real.

/** DESIGN §4: at most this many devices (qeth) or PFs and VFs (sriov) are worked on at once. */
export const CONCURRENCY = 16;

/**
 * libuv's thread pool size the agent asks for. Every `fs` call runs on that pool, and a sysfs write blocks its
 * thread in the kernel (`online` for seconds), so a pool of libuv's default 4 would make "16 at once" 4 at once
 * (measured: 12 × 0.3 s online took 1.33 s with 4 threads, 0.92 s with 16). The 4 spare threads keep the reads
 * and waits of the other work (and dns.lookup, which shares the pool) from queueing behind 16 blocked writes.
 */
export const THREADPOOL_SIZE = CONCURRENCY + 4;
