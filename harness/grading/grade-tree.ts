// Grades one implementation tree (labs/, solutions/, a student's isolated copy): runs each
// selected lab's hidden scenarios with the kit's runner, several labs at once. A lab with no
// scenarios yet, or whose program file the tree lacks, gets a result without a run, so every
// selected lab appears in every report in the same shape.

import { existsSync } from 'node:fs';
import { entryIn, type Lab } from '../manifest.ts';
import type { LabResult } from '../runner/results.ts';
import { DEFAULT_CAP_MS, runLab } from '../runner/run-lab.ts';
import { noExtras, type Extras } from './extra-scenarios.ts';
import { mapPool } from './pool.ts';

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

/** Resolves with one grade per lab, in teaching order; labs skipped after an abort are left out. */
export async function gradeTree({ target, labs, extras = noExtras, capMs = DEFAULT_CAP_MS, jobs = 1, signal }: GradeOptions): Promise<LabGrade[]> {
  const grades = await mapPool(labs, jobs, (manifestLab) => gradeLab(extras.extend(manifestLab), target, extras.testsFor(manifestLab), capMs, signal), signal);
  return grades.filter((g): g is LabGrade => g !== undefined);
}

async function gradeLab(lab: Lab, target: string, extraTests: string[], capMs: number, signal?: AbortSignal): Promise<LabGrade> {
  if (!lab.scenarios.length) return { lab, outcome: 'no-scenarios', result: notRun(lab, target, undefined) };
  const entry = entryIn(target, lab);
  // Running a missing program would fail every scenario with a start error: say it plainly instead.
  if (!existsSync(entry)) return { lab, outcome: 'missing', result: notRun(lab, target, `There is no ${lab.folder}/${lab.entry} in this tree.`) };
  const result = await runLab({ lab, target, capMs, extraTests, ...(signal ? { signal } : {}) });
  // The runner stops a run at its cap and says so in runError; the duration tells the cap apart from a crash.
  const outcome: LabOutcome = !result.runError ? 'ran' : result.durationMs >= capMs ? 'timed-out' : 'run-error';
  return { lab, outcome, result };
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
