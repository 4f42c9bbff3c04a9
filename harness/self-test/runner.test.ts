// The runner with several labs in one run (how `npm run check` grades a tree): vitest starts
// once for them all, and a lab stopped at the cap costs only itself, not the other labs.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { runProcesses } from '../kit/process-tree.ts';
import { findLab, type Lab } from '../manifest.ts';
import { runLabs } from '../runner/run-lab.ts';
import { describeProcesses } from './leftovers.ts';

const programs = path.join('harness', 'self-test', 'programs', 'runs');

/** A lab of the manifest whose hidden tests are one of the stand-in files above. */
function standIn(number: number, file: string, scenario: string): Lab {
  const lab = findLab(String(number))!;
  return { ...lab, tests: path.join(programs, file), scenarios: [{ ...lab.scenarios[0]!, id: scenario }] };
}

test('labs that finished keep their verdicts when another lab of the run is stopped at the cap', async () => {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-run-'));
  try {
    const capMs = 5000;
    const started = performance.now();
    const [quick, stuck] = await runLabs({
      labs: [{ lab: standIn(1, 'quick.lab.ts', 'answers') }, { lab: standIn(2, 'never-ends.lab.ts', 'waits forever') }],
      target: path.join(os.tmpdir(), 'no-tree-needed'),
      capMs,
      workers: 2,
      runDir,
    });
    expect(quick).toMatchObject({ lab: 1, scenarios: [{ id: 'answers', status: 'pass' }] });
    expect(quick!.runError).toBeUndefined();
    expect(quick!.durationMs).toBeLessThan(capMs);
    expect(quick!.timedOut).toBeUndefined();
    // The grader tells a cap from a crash by timedOut.
    expect(stuck).toMatchObject({ lab: 2, runError: `The lab run did not finish within ${capMs / 1000} s and was stopped.`, timedOut: true, scenarios: [{ id: 'waits forever', status: 'error' }] });
    expect(stuck!.durationMs).toBeGreaterThanOrEqual(capMs);
    expect(performance.now() - started).toBeLessThan(capMs + 10_000);
    expect(describeProcesses(runProcesses(runDir)), 'processes left behind').toEqual([]);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
});

test('one worker: the lab that hangs is stopped at its cap, the lab it kept from starting runs after it, the lab before it is not run again', async () => {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-run-'));
  try {
    const capMs = 3000;
    // The files run in this order: the last lab can only get its verdict from a run of its own.
    const [quick, stuck, after] = await runLabs({
      labs: [{ lab: standIn(1, 'quick.lab.ts', 'answers') }, { lab: standIn(2, 'never-ends.lab.ts', 'waits forever') }, { lab: standIn(3, 'also-quick.lab.ts', 'answers too') }],
      target: path.join(os.tmpdir(), 'no-tree-needed'),
      capMs,
      workers: 1,
      runDir,
    });
    expect(quick).toMatchObject({ lab: 1, scenarios: [{ id: 'answers', status: 'pass' }] });
    expect(readdirSync(runDir).filter((name) => name.startsWith('quick-ran-')), 'runs of the first lab').toHaveLength(1);
    expect(stuck).toMatchObject({ lab: 2, timedOut: true, runError: `The lab run did not finish within ${capMs / 1000} s and was stopped.`, scenarios: [{ id: 'waits forever', status: 'error' }] });
    expect(after).toMatchObject({ lab: 3, scenarios: [{ id: 'answers too', status: 'pass' }] });
    expect(after!.runError).toBeUndefined();
    expect(describeProcesses(runProcesses(runDir)), 'processes left behind').toEqual([]);
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
});
