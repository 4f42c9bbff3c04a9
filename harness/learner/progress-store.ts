// The learner's progress, kept in one small JSON file outside their code
// (.socketlab/progress.json): per lab, the last and best result, when it first passed,
// the last failing scenario (what --replay re-runs) and the hints already shown.

import { renameSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../manifest.ts';
import { passed, type LabResult } from '../runner/results.ts';
import { readJsonIfPresent, writeJsonAtomic } from '../kit/json-file.ts';
import { stateDir } from './state-dir.ts';

export interface RunSummary {
  at: string;
  passed: number;
  total: number;
}

export interface FailingScenario {
  scenario: string;
  title: string;
  /** The one-sentence failure, to remind the learner what went wrong. */
  message: string;
  at: string;
}

export interface LabProgress {
  runs: number;
  firstRunAt?: string;
  last?: RunSummary;
  best?: RunSummary;
  firstPassedAt?: string;
  /** The scenario explained in full by the last failing run: what `--replay` re-runs. */
  lastFailing?: FailingScenario;
  /** Scenario id → how many steps of its hint ladder have been shown. */
  hints: Record<string, number>;
}

export interface Progress {
  version: 1;
  /** Keyed by lab folder ("01-echo"), which stays stable when titles change. */
  labs: Record<string, LabProgress>;
}

export class ProgressStore {
  constructor(
    readonly file = path.join(stateDir(), 'progress.json'),
    private readonly warn: (message: string) => void = (message) => console.error(message),
  ) {}

  load(): Progress {
    let raw: unknown;
    try {
      raw = readJsonIfPresent(this.file);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      // Never silently replace a damaged file: keep it aside, say so, and start afresh.
      const aside = `${this.file}.damaged-${Date.now()}`;
      renameSync(this.file, aside);
      this.warn(`note: your progress file was damaged; it was kept as ${aside} and a new one started.`);
      raw = undefined;
    }
    return normalise(raw);
  }

  /** Loads, changes and saves in one step; returns what was saved. */
  update(change: (progress: Progress) => void): Progress {
    const progress = this.load();
    change(progress);
    writeJsonAtomic(this.file, progress);
    return progress;
  }
}

/** Accepts files written by older versions (missing fields) without complaint. */
function normalise(raw: unknown): Progress {
  const labsIn = (raw as Partial<Progress> | undefined)?.labs;
  const labs: Progress['labs'] = {};
  if (labsIn && typeof labsIn === 'object') {
    for (const [folder, record] of Object.entries(labsIn)) labs[folder] = { ...record, runs: record?.runs ?? 0, hints: { ...record?.hints } };
  }
  return { version: 1, labs };
}

export function labProgress(progress: Progress, lab: Lab): LabProgress {
  return (progress.labs[lab.folder] ??= { runs: 0, hints: {} });
}

export function recordRun(progress: Progress, lab: Lab, result: LabResult, now = new Date()): void {
  const record = labProgress(progress, lab);
  const at = now.toISOString();
  const summary: RunSummary = { at, passed: passed(result), total: result.scenarios.length };
  record.runs += 1;
  record.firstRunAt ??= at;
  record.last = summary;
  // When the lab's scenarios changed since the best run, that best no longer compares.
  if (!record.best || summary.passed > record.best.passed || summary.total !== record.best.total) record.best = summary;
  const allPassed = summary.total > 0 && summary.passed === summary.total && !result.runError;
  if (allPassed) record.firstPassedAt ??= at;
  // The same scenario the failure view explains in full: the first one that did not pass.
  const failing = result.scenarios.find((s) => s.status !== 'pass');
  if (failing) record.lastFailing = { scenario: failing.id, title: failing.title, message: failing.failure?.message ?? 'it did not pass', at };
}

export function recordHint(progress: Progress, lab: Lab, scenario: string, step: number): void {
  const hints = labProgress(progress, lab).hints;
  hints[scenario] = Math.max(hints[scenario] ?? 0, step);
}

/** After a reset the lab starts over; its history (best, first pass, hints) is kept. */
export function forgetLastRun(progress: Progress, lab: Lab): void {
  const record = labProgress(progress, lab);
  delete record.last;
  delete record.lastFailing;
}

export const hintsUsed = (record: LabProgress | undefined) => Object.values(record?.hints ?? {}).reduce((sum, n) => sum + n, 0);
