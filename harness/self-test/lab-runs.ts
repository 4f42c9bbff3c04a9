// One lab run as the self-test needs it: through the real runner, and checked to have
// completed and to have left no process of the tested tree behind.

import path from 'node:path';
import { expect } from 'vitest';
import type { Lab } from '../manifest.ts';
import type { LabResult } from '../runner/results.ts';
import { runLab } from '../runner/run-lab.ts';
import { processesMentioning } from './leftovers.ts';

export async function runChecked(lab: Lab, target: string, only?: string[]): Promise<LabResult> {
  const result = await runLab({ lab, target, ...(only ? { only } : {}) });
  expect(result.runError, 'the run itself should complete').toBeUndefined();
  expect(processesMentioning(path.join(target, lab.folder)), 'processes left behind').toEqual([]);
  return result;
}
