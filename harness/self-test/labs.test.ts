// For every lab in the manifest: the solution passes every scenario, the stub fails every
// scenario, each broken fixture fails the scenarios meant to catch it with a real verdict,
// and no run leaves a process behind.

import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixtures, fixtureTarget } from '../fixtures/catalog.ts';
import { labs, repoRoot, type Lab } from '../manifest.ts';
import type { LabResult } from '../runner/results.ts';
import { runLab } from '../runner/run-lab.ts';
import { processesMentioning } from './leftovers.ts';

async function run(lab: Lab, target: string): Promise<LabResult> {
  const result = await runLab({ lab, target });
  expect(result.runError, 'the run itself should complete').toBeUndefined();
  expect(processesMentioning(path.join(target, lab.folder)), 'processes left behind').toEqual([]);
  return result;
}

const statuses = (result: LabResult) => Object.fromEntries(result.scenarios.map((s) => [s.id, s.status]));

describe.each(labs)('lab $number ($slug)', (lab) => {
  test('every scenario passes against solutions/', async () => {
    const result = await run(lab, path.join(repoRoot, 'solutions'));
    expect(statuses(result)).toEqual(Object.fromEntries(lab.scenarios.map((s) => [s.id, 'pass'])));
  });

  test('every scenario fails against the stub in labs/, each with an explanation', async () => {
    const result = await run(lab, path.join(repoRoot, 'labs'));
    for (const scenario of result.scenarios) {
      expect(scenario.status, scenario.id).not.toBe('pass');
      // 'error' would mean the harness broke, not the program.
      expect(scenario.status, scenario.id).not.toBe('error');
      expect(scenario.failure?.message, scenario.id).toBeTruthy();
    }
  });

  const broken = fixtures.filter((f) => f.lab === lab.slug);
  test.each(broken)('fixture "$name" ($mistake) is caught by $caughtBy', async (fixture) => {
    const result = await run(lab, fixtureTarget(fixture));
    for (const id of fixture.caughtBy) {
      const scenario = result.scenarios.find((s) => s.id === id);
      expect(scenario, `scenario ${id} exists`).toBeDefined();
      expect(scenario!.status, `${id} against ${fixture.name}`).not.toBe('pass');
      expect(scenario!.status, `${id} against ${fixture.name}`).not.toBe('error');
      expect(scenario!.failure?.message).toBeTruthy();
    }
  });
});

test('every fixture names a lab and scenarios that exist', () => {
  for (const fixture of fixtures) {
    const lab = labs.find((l) => l.slug === fixture.lab);
    expect(lab, fixture.name).toBeDefined();
    for (const id of fixture.caughtBy) expect(lab!.scenarios.map((s) => s.id), fixture.name).toContain(id);
  }
});
