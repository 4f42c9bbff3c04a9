// For every lab in the manifest: the solution passes every scenario, the stub fails every
// scenario, each broken fixture fails the scenarios meant to catch it with a real verdict,
// and no run leaves a process behind.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { fixtures, fixtureTarget } from '../fixtures/catalog.ts';
import { entryIn, labs, repoRoot, type Lab } from '../manifest.ts';
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

  for (const fixture of fixtures.filter((f) => f.lab === lab.slug)) {
    test(`fixture "${fixture.name}" (${fixture.mistake}) is caught by ${fixture.caughtBy.join(', ')}`, async () => {
      const result = await run(lab, fixtureTarget(fixture));
      for (const id of fixture.caughtBy) {
        const scenario = result.scenarios.find((s) => s.id === id);
        expect(scenario, `scenario ${id} exists`).toBeDefined();
        expect(scenario!.status, `${id} against ${fixture.name}`).not.toBe('pass');
        expect(scenario!.status, `${id} against ${fixture.name}`).not.toBe('error');
        expect(scenario!.failure?.message).toBeTruthy();
      }
    });
  }
});

test('every fixture names a lab and scenarios that exist', () => {
  for (const fixture of fixtures) {
    const lab = labs.find((l) => l.slug === fixture.lab);
    expect(lab, fixture.name).toBeDefined();
    for (const id of fixture.caughtBy) expect(lab!.scenarios.map((s) => s.id), fixture.name).toContain(id);
  }
});

describe.each(labs)('lab $number ($slug) is complete', (lab) => {
  test('it has a stub, a solution, hidden tests, a guide and scenarios', () => {
    for (const file of [entryIn(path.join(repoRoot, 'labs'), lab), entryIn(path.join(repoRoot, 'solutions'), lab), path.join(repoRoot, lab.tests), path.join(repoRoot, lab.docs)]) {
      expect(existsSync(file), file).toBe(true);
    }
    expect(lab.scenarios.length).toBeGreaterThan(0);
    expect(new Set(lab.scenarios.map((s) => s.id)).size, 'scenario ids are unique').toBe(lab.scenarios.length);
  });

  test.each(lab.carries ?? [])('its copies of $file are identical to solutions/$from/$file', ({ file, from }) => {
    const source = readFileSync(path.join(repoRoot, 'solutions', from, file), 'utf8');
    for (const tree of ['labs', 'solutions']) {
      expect(readFileSync(path.join(repoRoot, tree, lab.folder, file), 'utf8'), `${tree}/${lab.folder}/${file}`).toBe(source);
    }
  });
});
