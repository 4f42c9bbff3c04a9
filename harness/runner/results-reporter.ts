// A vitest reporter that writes what happened to each scenario, raw, to the file named by
// SOCKETLAB_RESULTS. It prints nothing: run-lab.ts merges this with the manifest, and the
// CLI decides what the learner sees.

import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';
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

export interface RawRun {
  scenarios: RawScenario[];
  loadErrors: string[];
}

export default class ResultsReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const run: RawRun = { scenarios: [], loadErrors: [] };
    for (const module of modules) {
      for (const error of module.errors()) run.loadErrors.push(error.stack ?? error.message);
      for (const testCase of module.children.allTests()) {
        const result = testCase.result();
        const { failure, transcript } = testCase.meta();
        const error = result.errors?.[0]?.message;
        run.scenarios.push({
          id: testCase.name,
          state: result.state,
          durationMs: Math.round(testCase.diagnostic()?.duration ?? 0),
          ...(failure ? { failure } : {}),
          ...(error ? { error } : {}),
          ...(transcript ? { connections: transcript } : {}),
        });
      }
    }
    const file = process.env.SOCKETLAB_RESULTS;
    if (file) writeFileSync(file, JSON.stringify(run));
  }
}
