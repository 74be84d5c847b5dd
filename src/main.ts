// Entry point of the bundle: the only place that touches process.exitCode.
import { runMain } from './cli/run-main.js';
import { createNodeHost } from './host/node-host.js';

void runMain(process.argv, {
  createHost: createNodeHost,
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
}).then((code) => {
  // Never process.exit(): stdout to a journal socket is asynchronous and would be cut off.
  process.exitCode = code;
});
