// Entry point of the production bundle: the real host, as this process.
// First, before any import that could touch fs: size libuv's thread pool (see size-threadpool.ts).
import './size-threadpool.js';
import { runAsProcess } from './cli/run-process.js';
import { createImageFs } from './host/image-fs.js';
import { createNodeHost } from './host/node-host.js';

runAsProcess(createNodeHost, (root) => createImageFs(root));
