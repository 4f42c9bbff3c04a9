// A stand-in lab for the runner's own test: one scenario that passes at once, and leaves a
// mark in the run's folder each time it runs, so the test can count its runs.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'vitest';

test('answers', () => {
  writeFileSync(path.join(process.env.SOCKETLAB_RUN_DIR!, `quick-ran-${process.hrtime.bigint()}`), '');
});
