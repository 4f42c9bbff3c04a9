// results.json: the one document describing a graded tree, for machines (an LMS, a script,
// the gradebook). Modelled on the exercism test-runner contract: an overall status
// (pass / fail / error), a message when the run itself failed, and per test a status and a
// message. Scenarios are listed in the order they are taught; each lab, and the document,
// names its first failure before the list, because that is the one to fix first.

import { hintFor } from '../report/hints.ts';
import type { ScenarioStatus } from '../runner/results.ts';
import type { LabGrade, LabOutcome } from './grade-tree.ts';
import type { Points } from './points.ts';

/** Program output kept per failed scenario: enough to see a crash, never megabytes. */
const OUTPUT_CHARS = 2000;

export interface ScenarioEntry {
  id: string;
  title: string;
  status: ScenarioStatus;
  /** Why it did not pass, in one sentence (absent when it passed). */
  message?: string;
  hint?: string;
  /** The tail of what the program printed, when it failed. */
  output?: string;
  durationMs: number;
  points: number;
  possible: number;
}

export interface FirstFailure {
  lab: number;
  id: string;
  title: string;
  status: ScenarioStatus;
  message: string;
}

export interface LabEntry {
  lab: number;
  slug: string;
  title: string;
  /** pass: every scenario passed; fail: some did not; error: the run itself could not complete. */
  status: 'pass' | 'fail' | 'error' | 'no-scenarios';
  outcome: LabOutcome;
  /** Why the run could not complete, or why the lab was not run. */
  message?: string;
  passed: number;
  total: number;
  points: number;
  possible: number;
  durationMs: number;
  firstFailure?: FirstFailure;
  scenarios: ScenarioEntry[];
}

export interface ResultsDocument {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  message?: string;
  /** What was graded: a folder, or a student's submission name. */
  target: string;
  passed: number;
  failed: number;
  points: number;
  possible: number;
  durationMs: number;
  firstFailure?: FirstFailure;
  labs: LabEntry[];
}

export function resultsDocument(target: string, grades: readonly LabGrade[], points: Points, durationMs: number): ResultsDocument {
  const labs = grades.map((grade) => labEntry(grade, points));
  const sum = (pick: (lab: LabEntry) => number) => labs.reduce((total, lab) => total + pick(lab), 0);
  const broken = labs.filter((lab) => lab.status === 'error');
  const firstFailure = labs.find((lab) => lab.firstFailure)?.firstFailure;
  const passed = sum((l) => l.passed);
  const total = sum((l) => l.total);
  return {
    version: 1,
    status: broken.length ? 'error' : passed === total ? 'pass' : 'fail',
    ...(broken.length ? { message: broken.map((lab) => `lab ${lab.lab}: ${lab.message}`).join('\n') } : {}),
    target,
    passed,
    failed: total - passed,
    points: round(sum((l) => l.points)),
    possible: round(sum((l) => l.possible)),
    durationMs: Math.round(durationMs),
    ...(firstFailure ? { firstFailure } : {}),
    labs,
  };
}

/** A document for a submission that could not be graded at all (no labs/ tree, a bad zip…). */
export function ungradedDocument(target: string, message: string, possible: number, durationMs: number): ResultsDocument {
  return { version: 1, status: 'error', message, target, passed: 0, failed: 0, points: 0, possible: round(possible), durationMs: Math.round(durationMs), labs: [] };
}

function labEntry({ lab, outcome, result }: LabGrade, points: Points): LabEntry {
  const scenarios: ScenarioEntry[] = result.scenarios.map((s) => {
    const possible = points.of(lab, s.id);
    const entry: ScenarioEntry = { id: s.id, title: s.title, status: s.status, durationMs: s.durationMs, points: s.status === 'pass' ? possible : 0, possible };
    if (s.status !== 'pass' && s.failure) {
      entry.message = s.failure.message;
      const hint = hintFor(s.failure, lab.scenarios.find((spec) => spec.id === s.id));
      if (hint) entry.hint = hint;
      const output = s.failure.output?.trim();
      if (output) entry.output = output.length > OUTPUT_CHARS ? `…${output.slice(-OUTPUT_CHARS)}` : output;
    }
    return entry;
  });
  const passed = scenarios.filter((s) => s.status === 'pass').length;
  const first = scenarios.find((s) => s.status !== 'pass');
  const status = outcome === 'no-scenarios' ? 'no-scenarios' : outcome === 'timed-out' || outcome === 'run-error' ? 'error' : passed === scenarios.length ? 'pass' : 'fail';
  return {
    lab: lab.number,
    slug: lab.slug,
    title: lab.title,
    status,
    outcome,
    ...(result.runError ? { message: result.runError } : {}),
    passed,
    total: scenarios.length,
    points: round(scenarios.reduce((sum, s) => sum + s.points, 0)),
    possible: round(scenarios.reduce((sum, s) => sum + s.possible, 0)),
    durationMs: result.durationMs,
    ...(first ? { firstFailure: { lab: lab.number, id: first.id, title: first.title, status: first.status, message: first.message ?? 'Did not pass.' } } : {}),
    scenarios,
  };
}

/** Points may be fractional (an override of 0.5): keep sums free of float noise. */
const round = (n: number) => Math.round(n * 1000) / 1000;
