// The progress file: what a run, a pass and a hint leave in it, how a lab's status and the
// next lab are judged, a damaged file kept aside, and `npm run progress` reading it.

import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findLab, labs } from '../manifest.ts';
import { plainStyle } from '../report/style.ts';
import { recordAndAdvise } from '../learner/after-run.ts';
import { nextLab, statusLabel, statusOf } from '../learner/lab-status.ts';
import { hintsUsed, labProgress, ProgressStore, recordHint, recordRun } from '../learner/progress-store.ts';
import { cannedResult, cli, expectUsageError, tempStateDir } from './learner-helpers.ts';

const echo = findLab('echo')!;
const dirs: string[] = [];
const freshStore = () => {
  const dir = tempStateDir();
  dirs.push(dir);
  return new ProgressStore(path.join(dir, 'progress.json'), () => {});
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('recording runs', () => {
  test('a failing run sets the status, the best result and the scenario to replay', () => {
    const store = freshStore();
    store.update((p) => recordRun(p, echo, cannedResult(echo, ['half-close', 'connect-churn']), new Date('2025-01-01T10:00:00Z')));
    const progress = store.load();
    const record = labProgress(progress, echo);
    expect(record.runs).toBe(1);
    expect(record.best).toMatchObject({ passed: echo.scenarios.length - 2, total: echo.scenarios.length });
    expect(record.lastFailing?.scenario).toBe('half-close');
    expect(record.firstPassedAt).toBeUndefined();
    expect(statusLabel(statusOf(progress, echo))).toBe(`failing 2 of ${echo.scenarios.length}`);
  });

  test('the first pass is dated once; a later worse run does not lower the best', () => {
    const store = freshStore();
    store.update((p) => recordRun(p, echo, cannedResult(echo, ['echo-text']), new Date('2025-01-01T10:00:00Z')));
    store.update((p) => recordRun(p, echo, cannedResult(echo), new Date('2025-01-01T10:30:00Z')));
    store.update((p) => recordRun(p, echo, cannedResult(echo, ['echo-text', 'half-close']), new Date('2025-01-01T11:00:00Z')));
    const progress = store.load();
    const record = labProgress(progress, echo);
    expect(record.firstRunAt).toBe('2025-01-01T10:00:00.000Z');
    expect(record.firstPassedAt).toBe('2025-01-01T10:30:00.000Z');
    expect(record.best?.passed).toBe(echo.scenarios.length);
    expect(record.runs).toBe(3);
    expect(statusOf(progress, echo).kind).toBe('failing');
  });

  test('hints keep the highest step seen per scenario', () => {
    const store = freshStore();
    store.update((p) => recordHint(p, echo, 'echo-text', 2));
    store.update((p) => recordHint(p, echo, 'echo-text', 1));
    store.update((p) => recordHint(p, echo, 'half-close', 1));
    expect(labProgress(store.load(), echo).hints).toEqual({ 'echo-text': 2, 'half-close': 1 });
    expect(hintsUsed(labProgress(store.load(), echo))).toBe(3);
  });

  test('the next lab is the first one not passed, whatever order they were done in', () => {
    const store = freshStore();
    expect(nextLab(store.load())).toBe(labs[0]);
    const second = labs[1]!;
    store.update((p) => recordRun(p, second, cannedResult(second)));
    expect(nextLab(store.load())).toBe(labs[0]);
    store.update((p) => recordRun(p, echo, cannedResult(echo)));
    expect(nextLab(store.load())).toBe(labs.length > 2 ? labs[2] : labs.at(-1));
  });

  test('a damaged progress file is kept aside, said so, and a new one started', () => {
    const dir = tempStateDir();
    dirs.push(dir);
    const file = path.join(dir, 'progress.json');
    writeFileSync(file, '{ "labs": { "01-echo": ');
    const warnings: string[] = [];
    const store = new ProgressStore(file, (message) => warnings.push(message));
    expect(store.load().labs).toEqual({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/damaged/);
    expect(readdirSync(dir).some((name) => name.startsWith('progress.json.damaged-'))).toBe(true);
    expect(existsSync(file)).toBe(false);
  });
});

describe('after a run of the learner\'s code', () => {
  test('a pass congratulates, names the next lab and what it teaches, and offers the solution', () => {
    const store = freshStore();
    store.update((p) => recordRun(p, echo, cannedResult(echo, ['echo-text'])));
    const lines = recordAndAdvise(cannedResult(echo), { lab: echo, store, style: plainStyle, askForHint: 'Press h' }).join('\n');
    expect(lines).toMatch(/Lab 1 passed/);
    expect(lines).toMatch(/It took you 2 runs/);
    const next = labs[1]!;
    expect(lines).toContain(`Next: lab ${next.number}, ${next.title}: ${next.teaches}`);
    expect(lines).toContain('npm run solution 1');
    expect(labProgress(store.load(), echo).firstPassedAt).toBeDefined();
  });

  test('a failure points to the hint for the scenario that failed, and to replay', () => {
    const store = freshStore();
    const lines = recordAndAdvise(cannedResult(echo, ['large-payload']), { lab: echo, store, style: plainStyle, askForHint: 'Press h' }).join('\n');
    expect(lines).toMatch(/Stuck on large-payload\? Press h for a hint \(step 1 of \d\)/);
    expect(lines).toContain('npm run lab 1 replay');
  });
});

test('npm run progress shows a bar, one row per lab of the manifest, and the next lab', async () => {
  const stateDir = tempStateDir();
  dirs.push(stateDir);
  const store = new ProgressStore(path.join(stateDir, 'progress.json'));
  store.update((p) => {
    recordRun(p, echo, cannedResult(echo));
    recordHint(p, echo, 'echo-text', 2);
  });
  const run = await cli('progress', [], { stateDir });
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`\\[#+-+\\] 1 of ${labs.length} labs passed`));
  for (const lab of labs) expect(run.stdout).toContain(`${lab.number} ${lab.title}`);
  expect(run.stdout).toMatch(/1 Echo server\s+\|\s+passed\s+\|\s+7\/7\s+\|\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\|\s+0 min\s+\|\s+2\n/);
  expect(run.stdout).toContain(`Next: lab 2, ${labs[1]!.title}: npm run lab 2`);
  expect(run.stdout).not.toMatch(/\x1b\[/);

  const json = await cli('progress', ['--json'], { stateDir });
  expect(JSON.parse(json.stdout).labs['01-echo'].hints).toEqual({ 'echo-text': 2 });
  const wrong = await cli('progress', ['extra']);
  expectUsageError(wrong, /takes no arguments/);
});
