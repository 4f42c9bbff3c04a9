// A vitest reporter that writes what happened to each scenario, raw, to the file named by
// SOCKETLAB_RESULTS. It prints nothing: run-lab.ts merges this with the manifest, and the
// CLI decides what the learner sees.
//
// The file is written again as each test file (one lab, or an instructor's extra file) ends,
// not once at the end of the run: when a run of several labs is stopped, the labs that had
// finished keep their results. And it says on stdout when each file starts and ends, so the
// supervisor can give each file its own wall-clock cap.

import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
import { writeJsonAtomic } from '../kit/json-file.ts';
import type { ConnectionRecord } from '../kit/transcript.ts';
import type { FailureReport } from './results.ts';

export interface RawScenario {
  id: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  durationMs: number;
  failure?: FailureReport;
  /** vitest's own error message, for failures that did not go through the scenario glue. */
  error?: string;
  /** A passing scenario's transcript, when the run was asked to keep it. */
  connections?: ConnectionRecord[];
}

/** One test file that ran to its end. */
export interface RawModule {
  /** The test file's absolute path, as vitest names it. */
  file: string;
  scenarios: RawScenario[];
  loadErrors: string[];
  /** From the file's start (its import included) to its end. */
  durationMs: number;
}

export interface RawRun {
  modules: RawModule[];
}

/** Starts the lines that tell the supervisor (run-lab.ts) a test file started or ended. */
export const PROGRESS_MARK = '\u0000socketlab-file';
export type FileProgress = { event: 'started' | 'ended'; file: string };

export default class ResultsReporter implements Reporter {
  private readonly run: RawRun = { modules: [] };
  /** When each test file was handed to a worker: its wall time runs from there to its end. */
  private readonly queuedAt = new Map<string, number>();

  onTestModuleQueued(module: TestModule): void {
    this.queuedAt.set(module.moduleId, performance.now());
    tell({ event: 'started', file: module.moduleId });
  }

  onTestModuleEnd(module: TestModule): void {
    this.record([module]);
    tell({ event: 'ended', file: module.moduleId });
  }

  /** A file that could not even be collected may never end on its own: the run's end lists it. */
  onTestRunEnd(modules: readonly TestModule[]): void {
    this.record(modules.filter((module) => !this.run.modules.some((raw) => raw.file === module.moduleId)));
  }

  private record(modules: readonly TestModule[]): void {
    if (!modules.length) return;
    this.run.modules.push(...modules.map((module) => rawModule(module, this.queuedAt.get(module.moduleId))));
    this.write();
  }

  private write(): void {
    const file = process.env.SOCKETLAB_RESULTS;
    if (!file) return;
    try {
      // A run killed mid-write leaves the previous file whole.
      writeJsonAtomic(file, this.run);
    } catch {
      // A rename refused (Windows, while a virus scanner holds the file): written in place. A
      // reporter must not throw: the error would fail the lab's tests, not the write.
      try {
        writeFileSync(file, JSON.stringify(this.run));
      } catch {
        // Nothing more to try; the supervisor reports the lab as not finished.
      }
    }
  }
}

function tell(progress: FileProgress): void {
  process.stdout.write(`${PROGRESS_MARK}${JSON.stringify(progress)}\n`);
}

function rawModule(module: TestModule, queuedAt: number | undefined): RawModule {
  const scenarios: RawScenario[] = [];
  for (const testCase of module.children.allTests()) {
    const result = testCase.result();
    const { failure, transcript } = testCase.meta();
    const error = result.errors?.[0]?.message;
    scenarios.push({
      id: testCase.name,
      state: result.state,
      durationMs: Math.round(testCase.diagnostic()?.duration ?? 0),
      ...(failure ? { failure } : {}),
      ...(error ? { error } : {}),
      ...(transcript ? { connections: transcript } : {}),
    });
  }
  return {
    file: module.moduleId,
    scenarios,
    loadErrors: module.errors().map((error) => error.stack ?? error.message),
    // Not diagnostic().duration: that adds up the scenarios, which overlap.
    durationMs: queuedAt === undefined ? 0 : Math.round(performance.now() - queuedAt),
  };
}
