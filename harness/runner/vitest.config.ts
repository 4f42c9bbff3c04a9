// Vitest configuration for one lab run, started by run-lab.ts as its own process.
// Which lab and which implementation come from the environment the runner sets.

import { defineConfig } from 'vitest/config';

const testFile = process.env.SOCKETLAB_TEST_FILE;
if (!testFile) throw new Error('SOCKETLAB_TEST_FILE is not set: lab tests run through `npm run lab`.');

export default defineConfig({
  test: {
    include: [testFile],
    watch: false,
    pool: 'forks',
    maxWorkers: 1,
    // Each scenario starts its own copy of the learner's program, so scenarios can overlap:
    // a silent program costs one wait, not one wait per scenario. Four at a time keeps a
    // 2-core machine responsive enough for the harness's bounds.
    sequence: { concurrent: true, shuffle: false },
    maxConcurrency: 4,
    reporters: ['./harness/runner/results-reporter.ts'],
    // The harness's own waits are bounded; these are only backstops.
    hookTimeout: 15_000,
    teardownTimeout: 5_000,
  },
});
