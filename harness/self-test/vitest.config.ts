// The kit's own check (`npm test`): unit tests of the test kit, and every lab run against
// its solution, its stub and its broken fixtures. Lab runs are whole processes, so these
// tests are slow-ish and run two files at a time on a 2-core machine.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['harness/self-test/**/*.test.ts'],
    watch: false,
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 30_000,
    reporters: ['default', './harness/self-test/closing-line-reporter.ts'],
    globalSetup: ['./harness/self-test/global-setup.ts'],
    // Lab runs of labs/ record the learner's progress: the kit's own runs must not pose as the learner's.
    env: { SOCKETLAB_STATE_DIR: fileURLToPath(new URL('../../.socketlab/self-test', import.meta.url)) },
  },
});
