// Entry point of the production bundle: the real host, as this process.
import { runAsProcess } from './cli/run-process.js';
import { createImageFs } from './host/image-fs.js';
import { createNodeHost } from './host/node-host.js';

runAsProcess(createNodeHost, (root) => createImageFs(root));
