// A student's program runs from a temporary copy, so its crash traces and the runner's
// messages name paths like /tmp/socketlab-grade-x1y2/grade/labs/01-echo/server.ts. Reports
// say the submission's own name instead: stable across runs, and meaningful to a TA.

import type { LabResult } from '../runner/results.ts';

export function relabelTarget(result: LabResult, display: string): LabResult {
  const from = result.target;
  if (!from || from === display) return result;
  // Replace inside the JSON text, escaped as JSON escapes it (backslashes on Windows).
  const escaped = (text: string) => JSON.stringify(text).slice(1, -1);
  const json = JSON.stringify(result).split(escaped(from)).join(escaped(display));
  return JSON.parse(json) as LabResult;
}
