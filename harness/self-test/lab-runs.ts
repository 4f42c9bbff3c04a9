// One lab run as the self-test needs it: through the real runner, and checked to have
// completed and to have left no process of its own behind.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { runProcesses } from '../kit/process-tree.ts';
import type { Lab } from '../manifest.ts';
import type { LabResult } from '../runner/results.ts';
import { runLab } from '../runner/run-lab.ts';
import { describeProcesses } from './leftovers.ts';

export async function runChecked(lab: Lab, target: string, only?: string[]): Promise<LabResult> {
  // Other test files run the same trees at the same time (the CLI's, the room's, the hostile
  // suite's tests): a process is this run's when it carries the run's tag, not when its command
  // line names the tree.
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-run-'));
  try {
    const result = await runLab({ lab, target, runDir, ...(only ? { only } : {}) });
    expect(result.runError, 'the run itself should complete').toBeUndefined();
    expect(describeProcesses(runProcesses(runDir)), 'processes left behind').toEqual([]);
    return result;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}
