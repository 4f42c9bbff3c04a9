// Grades a whole class: every entry of the submissions folder, several at once (each in its
// own temporary copy, each lab under the runner's wall-clock cap), then the gradebook. On
// Ctrl+C the submissions in progress are stopped (their processes killed, their copies
// removed), the rest are not started, and no gradebook is written: a partial one would read
// as final.

import { mkdirSync } from 'node:fs';
import type { Lab } from '../manifest.ts';
import type { Extras } from './extra-scenarios.ts';
import { gradeSubmission, type GradebookRow } from './grade-submission.ts';
import { gradebook, writeGradebook, type Gradebook } from './gradebook.ts';
import { pristinePrints } from './kit-integrity.ts';
import type { Points } from './points.ts';
import { mapPool } from './pool.ts';
import type { Progress } from './progress.ts';
import { findSubmissions } from './submissions.ts';

export interface ClassOptions {
  submissions: string;
  out: string;
  labs: readonly Lab[];
  extras: Extras;
  points: Points;
  capMs: number;
  /** Submissions graded at once. */
  jobs: number;
  progress?: Progress;
  signal?: AbortSignal;
}

/** The gradebook, or undefined when the run was interrupted. */
export async function gradeClass(options: ClassOptions): Promise<Gradebook | undefined> {
  const submissions = findSubmissions(options.submissions, options.out);
  mkdirSync(options.out, { recursive: true });
  // The kit as it is when the run starts is the reference every submission is compared with.
  pristinePrints();
  const { progress, signal } = options;
  progress?.start(submissions.length);
  let rows: (GradebookRow | undefined)[];
  try {
    rows = await mapPool(
      submissions,
      options.jobs,
      async (submission) => {
        progress?.started(submission.student);
        const row = await gradeSubmission(submission, { ...options, ...(signal ? { signal } : {}) });
        progress?.done(row);
        return row;
      },
      signal,
    );
  } finally {
    progress?.finish();
  }
  if (signal?.aborted) return undefined;
  const book = gradebook(
    rows.filter((r): r is GradebookRow => r !== undefined),
    options.labs.map((lab) => options.extras.extend(lab)),
    options.points,
  );
  writeGradebook(options.out, book);
  return book;
}
