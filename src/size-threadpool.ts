// Side effect only, and it must run before anything else: imported first by every entry point.
//
// libuv reads UV_THREADPOOL_SIZE once, when the first piece of work (an asynchronous fs call, dns.lookup, zlib)
// creates the pool; setting it any later does nothing. The bundle is CommonJS and esbuild emits modules in import
// order, so this module's body is the first statement of the bundle after the runtime helpers (the e2e test
// checks dist/ and the live thread count). An operator's own setting wins.
import { THREADPOOL_SIZE } from './concurrency.js';

process.env.UV_THREADPOOL_SIZE ??= String(THREADPOOL_SIZE);
