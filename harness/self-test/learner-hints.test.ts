// Hint ladders: the files match the manifest, asking again climbs a scenario's ladder (and
// the progress file remembers), a missing ladder falls back to the scenario's own hint, and
// `npm run hint` does all this from the command line.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findLab, labs, type Lab } from '../manifest.ts';
import { nextHint } from '../learner/hint-giver.ts';
import { ladderFile, ladderFor, loadLadders, parseLadders } from '../learner/hint-ladder.ts';
import { labProgress, ProgressStore, recordRun } from '../learner/progress-store.ts';
import { cannedResult, cli, expectUsageError, tempStateDir } from './learner-helpers.ts';

const echo = findLab('echo')!;
const dirs: string[] = [];
const freshStore = () => {
  const dir = tempStateDir();
  dirs.push(dir);
  return new ProgressStore(path.join(dir, 'progress.json'));
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.each(labs.filter((lab) => existsSync(ladderFile(lab))))('the hint ladders of lab $number ($slug)', (lab) => {
  test('cover exactly its scenarios, each from a nudge to near the answer (3 steps or more)', () => {
    const ladders = loadLadders(lab);
    expect([...ladders.keys()].sort()).toEqual(lab.scenarios.map((s) => s.id).sort());
    for (const [id, steps] of ladders) {
      expect(steps.length, id).toBeGreaterThanOrEqual(3);
      for (const step of steps) expect(step.length, `${id}: a step with words in it`).toBeGreaterThan(20);
    }
  });
});

test('lab 1 has its ladders', () => {
  expect(existsSync(ladderFile(echo))).toBe(true);
});

test('a step keeps its continuation lines, and a numbered line inside a code block is not a new step', () => {
  const ladders = parseLadders(
    ['# Title', 'intro', '', '## one', '', '1. first line', '   second line', '2. then', '   ```ts', '1. not a step', '   ```', '', '## `two`', '1. only'].join('\n'),
  );
  expect(ladders.get('one')).toEqual(['first line\nsecond line', 'then\n```ts\n1. not a step\n```']);
  expect(ladders.get('two')).toEqual(['only']);
});

test('without a ladder, a scenario\'s own hint is its only step', () => {
  const lab: Lab = { ...echo, folder: '99-no-ladder' };
  expect(existsSync(ladderFile(lab))).toBe(false);
  const spec = lab.scenarios[0]!;
  expect(ladderFor(lab, spec)).toEqual([spec.hint]);
});

describe('asking for hints', () => {
  test('climbs the ladder of the scenario that failed last, then stays on the last step', () => {
    const store = freshStore();
    store.update((p) => recordRun(p, echo, cannedResult(echo, ['large-payload', 'half-close'])));
    const steps = ladderFor(echo, echo.scenarios.find((s) => s.id === 'large-payload')!);
    const shown = Array.from({ length: steps.length + 1 }, () => nextHint(store, echo));
    expect(shown.map((h) => (h.kind === 'hint' ? [h.scenario.id, h.step, h.because] : h.kind))).toEqual([
      ...steps.map((_, i) => ['large-payload', i + 1, 'failing']),
      ['large-payload', steps.length, 'failing'],
    ]);
    expect(shown.map((h) => h.kind === 'hint' && h.text)).toEqual([...steps, steps.at(-1)]);
    expect(shown.at(-1)).toMatchObject({ lastAgain: true });
    expect(labProgress(store.load(), echo).hints).toEqual({ 'large-payload': steps.length });
  });

  test('a scenario named by the learner has its own ladder; the failing one in watch mode is passed in', () => {
    const store = freshStore();
    expect(nextHint(store, echo, { named: 'half-close' })).toMatchObject({ scenario: { id: 'half-close' }, step: 1, because: 'named' });
    expect(nextHint(store, echo, { failing: 'half-close' })).toMatchObject({ scenario: { id: 'half-close' }, step: 2, because: 'failing' });
    expect(nextHint(store, echo, { failing: null })).toEqual({ kind: 'passed' });
  });

  test('before any run, the first scenario\'s ladder, saying why; after a pass, no hint is needed', () => {
    const store = freshStore();
    expect(nextHint(store, echo)).toMatchObject({ kind: 'hint', scenario: { id: echo.scenarios[0]!.id }, because: 'not-run' });
    store.update((p) => recordRun(p, echo, cannedResult(echo)));
    expect(nextHint(store, echo)).toEqual({ kind: 'passed' });
  });
});

describe('npm run hint', () => {
  test('shows the next step each time, for the scenario that failed, and says how to get the next one', async () => {
    const stateDir = tempStateDir();
    dirs.push(stateDir);
    new ProgressStore(path.join(stateDir, 'progress.json')).update((p) => recordRun(p, echo, cannedResult(echo, ['every-byte-value'])));
    const ladder = loadLadders(echo).get('every-byte-value')!;
    const first = await cli('hint', ['1'], { stateDir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Hint 1 of ${ladder.length} for every-byte-value`);
    expect(first.stdout).toContain('npm run hint 1 for step 2');
    const second = await cli('hint', ['echo'], { stateDir });
    expect(second.stdout).toContain(`Hint 2 of ${ladder.length} for every-byte-value`);
    // The words of step 2 (markdown rendered, so compare a run of plain words).
    expect(second.stdout.replace(/\s+/g, ' ')).toContain(ladder[1]!.split(/\s+/).slice(0, 6).join(' '));
    expect(second.stdout).not.toMatch(/\x1b\[/);
    const progress = JSON.parse(readFileSync(path.join(stateDir, 'progress.json'), 'utf8'));
    expect(progress.labs['01-echo'].hints).toEqual({ 'every-byte-value': 2 });
  });

  test.each([
    [[], /which lab\?/],
    [['1', 'no-such-scenario'], /lab 1 has no scenario "no-such-scenario"; its scenarios are echo-text/],
  ])('usage error %j: one line, exit status 2', async (args, message) => {
    expectUsageError(await cli('hint', args), message);
  });
});
