// Grades one implementation tree (labs/, solutions/, a student's isolated copy): runs the
// selected labs' hidden scenarios with the kit's runner, several labs at once. A lab with no
// scenarios yet, or whose program file the tree lacks, gets a result without a run, so every
// selected lab appears in every report in the same shape.

import { existsSync } from 'node:fs';
import { entryIn, type Lab } from '../manifest.ts';
import type { LabResult } from '../runner/results.ts';
import { DEFAULT_CAP_MS, runLabs } from '../runner/run-lab.ts';
import { noExtras, type Extras } from './extra-scenarios.ts';

/** How a lab's grading went, apart from its score. */
export type LabOutcome = 'ran' | 'no-scenarios' | 'missing' | 'timed-out' | 'run-error';

export interface LabGrade {
  /** The lab as graded: the manifest's, plus any private scenarios. */
  lab: Lab;
  outcome: LabOutcome;
  result: LabResult;
}

export interface GradeOptions {
  /** Absolute path of the tree. */
  target: string;
  labs: readonly Lab[];
  extras?: Extras;
  capMs?: number;
  /** Labs run at once. */
  jobs?: number;
  signal?: AbortSignal;
}

/**
 * Resolves with one grade per lab, in teaching order. The labs that can run, run together in
 * one supervised vitest (`jobs` at a time), which starts once for the tree, not once per lab.
 * Ctrl+C stops them all: the labs that had not finished get the run's "interrupted" error.
 */
export async function gradeTree({ target, labs, extras = noExtras, capMs = DEFAULT_CAP_MS, jobs = 1, signal }: GradeOptions): Promise<LabGrade[]> {
  const graded = labs.map((manifestLab) => extras.extend(manifestLab));
  const toRun = graded.filter((lab) => lab.scenarios.length && existsSync(entryIn(target, lab)));
  const results = toRun.length ? await runLabs({ labs: toRun.map((lab) => ({ lab, extraTests: extras.testsFor(lab) })), target, capMs, workers: jobs, ...(signal ? { signal } : {}) }) : [];
  return graded.map((lab): LabGrade => {
    if (!lab.scenarios.length) return { lab, outcome: 'no-scenarios', result: notRun(lab, target, undefined) };
    const result = results[toRun.indexOf(lab)];
    // Running a missing program would fail every scenario with a start error: say it plainly instead.
    if (!result) return { lab, outcome: 'missing', result: notRun(lab, target, `There is no ${lab.folder}/${lab.entry} in this tree.`) };
    const outcome: LabOutcome = !result.runError ? 'ran' : result.timedOut ? 'timed-out' : 'run-error';
    return { lab, outcome, result };
  });
}

/** A lab that was not run. Its scenarios fail (not "error"): a missing program is the tree's fault, not the harness's. */
function notRun(lab: Lab, target: string, why: string | undefined): LabResult {
  return {
    lab: lab.number,
    slug: lab.slug,
    title: lab.title,
    target,
    scenarios: lab.scenarios.map((s) => ({ id: s.id, title: s.title, status: 'fail', durationMs: 0, failure: { message: `Not run: ${why}`, connections: [] } })),
    ...(why ? { runError: why } : {}),
    durationMs: 0,
  };
}
