// `--replay`: a failing run of the learner's code saves its first failing scenario; replay
// runs that scenario alone against the current code, and shows the conversation on the wire
// whether it fails or passes now. The runner's `only` reports just the scenarios that ran.

import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findLab, repoRoot } from '../manifest.ts';
import { runLab } from '../runner/run-lab.ts';
import { ProgressStore, recordRun } from '../learner/progress-store.ts';
import { cannedResult, cli, expectUsageError, tempStateDir } from './learner-helpers.ts';

const echo = findLab('echo')!;
const dirs: string[] = [];
const stateDir = () => {
  const dir = tempStateDir();
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('the runner runs and reports only the scenarios asked for, with the transcripts of passes when asked', async () => {
  const result = await runLab({ lab: echo, target: path.join(repoRoot, 'solutions'), only: ['half-close', 'echo-text'], keepTranscripts: true });
  expect(result.runError).toBeUndefined();
  // Teaching order, whatever the order asked.
  expect(result.scenarios.map((s) => [s.id, s.status])).toEqual([
    ['echo-text', 'pass'],
    ['half-close', 'pass'],
  ]);
  for (const scenario of result.scenarios) expect(scenario.connections?.[0]?.events.some((e) => e.kind === 'sent')).toBe(true);
});

describe('npm run lab N replay', () => {
  test('a failing run of labs/ saves the scenario it explains; replay re-runs that one alone', async () => {
    const dir = stateDir();
    const run = await cli('lab', ['1'], { stateDir: dir });
    expect(run.code).toBe(1);
    const firstFailing = /── FAIL ([\w-]+) /.exec(run.stdout)?.[1];
    const saved = JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8')).labs['01-echo'];
    expect(saved.lastFailing.scenario).toBe(firstFailing);
    expect(saved.last).toMatchObject({ passed: 0, total: echo.scenarios.length });
    expect(run.stdout).toContain(`Stuck on ${firstFailing}? Run npm run hint 1 for a hint`);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`0 passed, ${echo.scenarios.length} failed`);

    const replay = await cli('lab', ['1', 'replay'], { stateDir: dir });
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(`Replaying ${firstFailing} from lab 1: it failed just now with: ${saved.lastFailing.message}`);
    expect(replay.stdout).toContain('On the wire');
    expect(replay.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
    const others = echo.scenarios.filter((s) => s.id !== firstFailing);
    for (const other of others) expect(replay.stdout).not.toContain(other.title);
    // A replay is not a run of the lab: the progress file still says 0 of 7.
    expect(JSON.parse(readFileSync(path.join(dir, 'progress.json'), 'utf8')).labs['01-echo'].runs).toBe(1);
  });

  test('once the code passes, replay says so and still shows the conversation', async () => {
    const dir = stateDir();
    new ProgressStore(path.join(dir, 'progress.json')).update((p) => recordRun(p, echo, cannedResult(echo, ['half-close'])));
    const replay = await cli('lab', ['--replay', '1', '--target', 'solutions'], { stateDir: dir });
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('half-close passes now.');
    expect(replay.stdout).toContain('On the wire (>> sent by the harness, << sent by your program):\n  client 1\n');
    expect(replay.stdout).toMatch(/>> sent 5 B {2}"last "/);
    expect(replay.stdout).toMatch(/<< received \d+ B/);
    expect(replay.stdout).toMatch(/closed its sending side \(FIN\)/);
    expect(replay.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 0 failed');
  });

  test('with nothing saved, replay says what to do first: one line, exit status 2', async () => {
    const replay = await cli('lab', ['1', 'replay']);
    expectUsageError(replay, /nothing to replay yet.*run npm run lab 1 first/);
  });
});
