// For every lab in the manifest: the solution passes every scenario, the stub fails every
// scenario (each with an explanation), no run leaves a process behind, and the lab has all
// its parts. The broken fixtures are in fixtures.test.ts, so the two files run side by side.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { entryIn, labs, repoRoot } from '../manifest.ts';
import type { LabResult } from '../runner/results.ts';
import { runChecked as run } from './lab-runs.ts';

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
});

describe.each(labs)('lab $number ($slug) is complete', (lab) => {
  test('it has a stub, a solution, hidden tests, a guide and scenarios', () => {
    for (const file of [entryIn(path.join(repoRoot, 'labs'), lab), entryIn(path.join(repoRoot, 'solutions'), lab), path.join(repoRoot, lab.tests), path.join(repoRoot, lab.docs)]) {
      expect(existsSync(file), file).toBe(true);
    }
    expect(lab.scenarios.length).toBeGreaterThan(0);
    expect(new Set(lab.scenarios.map((s) => s.id)).size, 'scenario ids are unique').toBe(lab.scenarios.length);
  });

  test.each(lab.given ?? [])('the %s it gives complete is the same in labs/ and solutions/', (file) => {
    const read = (tree: string) => readFileSync(path.join(repoRoot, tree, lab.folder, file), 'utf8');
    expect(read('labs')).toBe(read('solutions'));
  });

  test.each(lab.carries ?? [])('its copies of $file are identical to solutions/$from/$file', ({ file, from }) => {
    const source = readFileSync(path.join(repoRoot, 'solutions', from, file), 'utf8');
    for (const tree of ['labs', 'solutions']) {
      expect(readFileSync(path.join(repoRoot, tree, lab.folder, file), 'utf8'), `${tree}/${lab.folder}/${file}`).toBe(source);
    }
  });
});
