// The results contract between a lab run (vitest, in its own process) and everything that
// shows or grades it (the terminal view, the self-test, later the grader). Plain JSON.

import type { FailureDetails } from '../kit/failure.ts';
import type { Health } from '../kit/program.ts';
import type { ConnectionRecord } from '../kit/transcript.ts';

export type ScenarioStatus = 'pass' | 'fail' | 'timeout' | 'error';

export interface FailureReport {
  /** One plain sentence: what went wrong. */
  message: string;
  details?: FailureDetails;
  /** The program's state when the scenario failed. */
  program?: Health;
  /** The program's own stdout/stderr during the scenario (tail). */
  output?: string;
  connections: ConnectionRecord[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  status: ScenarioStatus;
  durationMs: number;
  failure?: FailureReport;
  /** The wire transcript of a passing scenario, when the run kept it (`--replay`). */
  connections?: ConnectionRecord[];
}

export interface LabResult {
  lab: number;
  slug: string;
  title: string;
  /** The implementation folder that was tested (labs/, solutions/, …). */
  target: string;
  scenarios: ScenarioResult[];
  /** Set when this lab's run failed: its tests could not load, it hit its cap, the run was interrupted. */
  runError?: string;
  /** Set when the run was stopped at its wall-clock cap before this lab's tests ended. */
  timedOut?: true;
  durationMs: number;
}

export const passed = (r: LabResult) => r.scenarios.filter((s) => s.status === 'pass').length;
export const failed = (r: LabResult) => r.scenarios.length - passed(r);
