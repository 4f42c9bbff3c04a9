// One scratch folder per grading run, made the temporary folder of everything the run starts
// (TMPDIR, TMP, TEMP are inherited by the runner, vitest and the students' programs). A lab
// run stopped at its cap or by Ctrl+C is killed, and cannot clean up after itself: whatever
// it left (data folders, compiler caches) is inside this folder, which goes when the run ends.

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { removeGradingFolder } from './isolate.ts';

const TEMP_VARIABLES = ['TMPDIR', 'TMP', 'TEMP'] as const;

export async function withScratchFolder<T>(work: () => Promise<T>): Promise<T> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'socketlab-check-'));
  const saved = TEMP_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of TEMP_VARIABLES) process.env[name] = scratch;
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    removeGradingFolder(scratch);
  }
}
