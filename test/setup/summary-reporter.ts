// Ends every run with one plain line, `N passed, N failed, N skipped`, that any CI log reader understands.
import { writeSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0, errors: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
      // A failed beforeAll/afterAll (or collection) leaves its tests "skipped": count it, or the line reads green.
      counts.errors += [module, ...module.children.allSuites()].reduce((sum, suite) => sum + suite.errors().length, 0);
    }
    const errors = counts.errors > 0 ? `, ${counts.errors} error${counts.errors === 1 ? '' : 's'} outside tests` : '';
    // At exit, so it is the very last line, after vitest's own summary.
    process.once('exit', () => writeSync(1, `\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${errors}\n`));
  }
}
