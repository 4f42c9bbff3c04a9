// Grades one student's submission from start to end: unpack it if it is a .zip, find its
// labs/ tree, flag changed kit files, copy the tree into a temporary folder, run the selected
// labs there with this kit's harness, write the student's results folder, and remove the
// temporary folder. Whatever goes wrong becomes the row's status and message: one student's
// submission never stops the class run.

import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Lab } from '../manifest.ts';
import type { Extras } from './extra-scenarios.ts';
import { gradeTree, type LabGrade } from './grade-tree.ts';
import { isolateLabs, removeGradingFolder } from './isolate.ts';
import { compareKit, type KitChange } from './kit-integrity.ts';
import { locateLabs } from './labs-tree.ts';
import type { Points } from './points.ts';
import { relabelTarget } from './relabel.ts';
import { resultsDocument, ungradedDocument, type LabEntry, type ResultsDocument } from './results-document.ts';
import type { Submission } from './submissions.ts';
import { NOT_SUBMITTED, TreeTooLarge } from './walk.ts';
import { writeResults } from './write-results.ts';
import { extractZip, ZipError } from './zip-reader.ts';

export type SubmissionStatus =
  | 'graded' // every selected lab ran to its end (whatever the score)
  | 'timed-out' // a lab run hit its wall-clock cap and was stopped
  | 'run-error' // a lab run could not complete (the runner itself failed)
  | 'no-labs' // no labs/ tree in the submission
  | 'unreadable' // a damaged or unsafe .zip, or a tree too large to copy
  | 'interrupted'; // Ctrl+C during its grading

export interface GradebookLab {
  lab: number;
  slug: string;
  status: LabEntry['status'];
  passed: number;
  total: number;
  points: number;
  possible: number;
}

export interface GradebookRow {
  student: string;
  status: SubmissionStatus;
  /** Why the status is not "graded", in a sentence or two. */
  message?: string;
  points: number;
  possible: number;
  passed: number;
  failed: number;
  labs: GradebookLab[];
  /** Kit files the student changed: never used for grading, flagged for a TA to look at. */
  modifiedKitFiles: KitChange[];
  /** What was not taken from the submission (symbolic links). */
  ignored: string[];
  durationMs: number;
  /** The student's results folder, relative to the class results folder. */
  results: string;
}

export interface SubmissionOptions {
  labs: readonly Lab[];
  extras: Extras;
  points: Points;
  capMs: number;
  /** The class results folder; the student's files go to <out>/<student>/. */
  out: string;
  signal?: AbortSignal;
}

class NotGradable extends Error {
  constructor(
    readonly status: 'no-labs' | 'unreadable',
    message: string,
  ) {
    super(message);
  }
}

export async function gradeSubmission(submission: Submission, options: SubmissionOptions): Promise<GradebookRow> {
  const started = performance.now();
  const work = mkdtempSync(path.join(os.tmpdir(), 'socketlab-grade-'));
  const folder = path.join(options.out, submission.student);
  let modifiedKitFiles: KitChange[] = [];
  let ignored: string[] = [];
  try {
    const root = unpack(submission, work);
    ignored = root.ignored;
    const located = locateLabs(root.path);
    if (!located) throw new NotGradable('no-labs', 'no labs/ folder (and no lab folder like 01-echo/) in the submission');
    if (located.kitRoot) modifiedKitFiles = compareKit(located.kitRoot);
    const copy = isolateLabs(located.labsTree, path.join(work, 'grade'));
    ignored = [...ignored, ...copy.ignored];

    const display = `${submission.student}/labs`;
    const grades: LabGrade[] = (await gradeTree({ target: copy.target, labs: options.labs, extras: options.extras, capMs: options.capMs, ...(options.signal ? { signal: options.signal } : {}) })).map((grade) => ({ ...grade, result: relabelTarget(grade.result, display) }));
    const doc = resultsDocument(submission.student, grades, options.points, performance.now() - started);
    writeResults(folder, doc, grades, notes(modifiedKitFiles, ignored));
    return row(submission, statusOf(grades, options.signal), doc, modifiedKitFiles, ignored, started);
  } catch (err) {
    const status = err instanceof NotGradable ? err.status : 'unreadable';
    const message = err instanceof NotGradable || err instanceof ZipError || err instanceof TreeTooLarge ? err.message : `could not read the submission: ${(err as Error).message}`;
    const possible = options.labs.reduce((sum, lab) => sum + options.points.ofLab(options.extras.extend(lab)), 0);
    const doc = ungradedDocument(submission.student, message, possible, performance.now() - started);
    mkdirSync(folder, { recursive: true });
    writeResults(folder, doc, [], notes(modifiedKitFiles, ignored));
    return row(submission, status, doc, modifiedKitFiles, ignored, started);
  } finally {
    removeGradingFolder(work);
  }
}

/** The folder the submission's files are in: the entry itself, or a .zip unpacked into `work`. */
function unpack(submission: Submission, work: string): { path: string; ignored: string[] } {
  if (submission.kind === 'folder') return { path: submission.source, ignored: [] };
  if (submission.kind === 'other') throw new NotGradable('no-labs', 'not a folder or a .zip archive');
  const into = path.join(work, 'unpacked');
  mkdirSync(into);
  // Installed dependencies and git data are not part of the work: never unpacked.
  const unpacked = extractZip(submission.source, into, (name) => name.split('/').some((part) => NOT_SUBMITTED.has(part)));
  return { path: into, ignored: unpacked.ignored };
}

function statusOf(grades: readonly LabGrade[], signal: AbortSignal | undefined): SubmissionStatus {
  if (signal?.aborted) return 'interrupted';
  if (grades.some((g) => g.outcome === 'timed-out')) return 'timed-out';
  if (grades.some((g) => g.outcome === 'run-error')) return 'run-error';
  return 'graded';
}

function row(submission: Submission, status: SubmissionStatus, doc: ResultsDocument, modifiedKitFiles: KitChange[], ignored: string[], started: number): GradebookRow {
  return {
    student: submission.student,
    status,
    ...(doc.message ? { message: doc.message } : {}),
    points: doc.points,
    possible: doc.possible,
    passed: doc.passed,
    failed: doc.failed,
    labs: doc.labs.map(({ lab, slug, status: labStatus, passed, total, points, possible }) => ({ lab, slug, status: labStatus, passed, total, points, possible })),
    modifiedKitFiles,
    ignored,
    durationMs: Math.round(performance.now() - started),
    results: submission.student,
  };
}

/** Listed in a student's report.md before "and N more"; gradebook.json has the full list. */
const LISTED_IN_REPORT = 30;

/** Markdown paragraphs for the student's report.md. */
function notes(modified: KitChange[], ignored: string[]): string[] {
  const out: string[] = [];
  if (modified.length) {
    const listed = modified.slice(0, LISTED_IN_REPORT).map((m) => `- \`${m.file}\` (${m.change})`);
    if (modified.length > listed.length) listed.push(`- … and ${modified.length - listed.length} more (gradebook.json lists them all)`);
    out.push(`**Modified kit files** (${modified.length}): not used for grading, this kit's own harness graded the submission.\n\n${listed.join('\n')}`);
  }
  if (ignored.length) out.push(`**Not taken from the submission:** ${ignored.join(', ')}.`);
  return out;
}
