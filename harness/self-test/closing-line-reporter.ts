// Prints the closing line CI reads: exactly "N passed, M failed", alone on a line.
// A test file that failed without a failing test (a syntax error, a beforeAll hook that
// threw) counts as one failure, so the line can never say "0 failed" about a broken run.

import type { Reporter, TestModule } from 'vitest/node';

export default class ClosingLineReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    let passed = 0;
    let failed = 0;
    for (const module of modules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
      }
      const brokenElsewhere = module.errors().length > 0 || module.state() === 'failed' || [...module.children.allSuites()].some((s) => s.errors().length > 0);
      failed += failedHere === 0 && brokenElsewhere ? 1 : failedHere;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}
