// Any process warning (deprecation, unhandled rejection, MaxListeners…) fails the test run.
import { afterAll } from 'vitest';

const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
process.on('warning', onWarning);

afterAll(() => {
  process.off('warning', onWarning);
  if (warnings.length > 0) throw new Error(`process warnings were emitted:\n${warnings.join('\n')}`);
});
