// Benchmark 1, learner feedback: how long a learner waits for a verdict. Each lab of the
// manifest is run as the learner runs it (`npm run lab N -- --target solutions`, a fresh
// process each time), then the whole `npm run check`, then a program that hangs. Then the
// pieces, each timed alone, that a lab run is made of: starting Node and tsx, the CLI, vitest
// and the lab's test file, compiling and starting one learner program, scrypt, and the
// scenarios' own waits.

import { randomBytes, scrypt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kitCommand } from '../../cli/kit-command.ts';
import { compileProgram } from '../../kit/compiled-program.ts';
import { LearnerProgram } from '../../kit/program.ts';
import { entryIn, findLab, labs, repoRoot, type Lab } from '../../manifest.ts';
import type { LabResult } from '../../runner/results.ts';
import { runLab } from '../../runner/run-lab.ts';
import type { Benchmark, BenchOutput, BenchSettings } from '../benchmark.ts';
import { formatLoad, loadAverage } from '../machine.ts';
import { round, spread, type Spread } from '../stats.ts';
import type { Table } from '../table.ts';
import { timeCommand, timeKitCommand, type TimedRun } from '../timed-command.ts';

const solutions = path.join(repoRoot, 'solutions');
const hangingFixture = path.join(repoRoot, 'harness', 'fixtures', '01-echo', 'blocks-event-loop');
/** A lab run's cap here: far above any goal, so a slow run is measured, not cut. */
const RUN_CAP_MS = 90_000;

/** The learner's goal for one lab's verdict, in seconds. */
export const labGoalSeconds = (lab: Lab) => (lab.number <= 3 ? 1.0 : 1.5);
const CHECK_GOAL_S = 5;
const HANG_GOAL_S = 5;

interface Measured {
  what: string;
  seconds: Spread;
  goal?: number;
  /** Scenarios passed / run in the last run, and the slowest ones (the critical path's floor). */
  outcome: string;
  slowest?: string;
  load: [number, number, number];
}

interface Piece {
  what: string;
  ms: Spread;
  note: string;
  load: [number, number, number];
}

/** A lab the kit can run against its solutions today (lab 6's tests or solution may not exist yet). */
function runnable(lab: Lab): boolean {
  return lab.scenarios.length > 0 && existsSync(path.join(repoRoot, lab.tests)) && existsSync(entryIn(solutions, lab));
}

export const feedback: Benchmark = {
  name: 'feedback',
  summary: 'wall time of npm run lab N and npm run check against the solutions, a hang, and where the time goes',
  async run(settings: BenchSettings): Promise<BenchOutput> {
    const runs = settings.runs ?? (settings.quick ? 1 : 5);
    const state = mkdtempSync(path.join(os.tmpdir(), 'socketlab-bench-state-'));
    // The learner's progress file is never touched by the benchmark's runs.
    const env = { SOCKETLAB_STATE_DIR: state };
    const chosen = settings.quick ? labs.filter((l) => l.number === 1) : labs;
    const rows: Measured[] = [];
    const skipped: string[] = [];
    const scenarioTimes: Record<number, LabResult['scenarios']> = {};
    try {
      for (const lab of chosen) {
        if (settings.signal.aborted) break;
        if (!runnable(lab)) {
          skipped.push(`lab ${lab.number} (${lab.folder}): not measured, its tests or its solution do not exist yet`);
          continue;
        }
        settings.progress(`feedback: npm run lab ${lab.number} -- --target solutions, ${runs} runs`);
        const timed = await repeat(runs, () => timeKitCommand('lab', [String(lab.number), '--target', 'solutions', '--json'], { capMs: RUN_CAP_MS, env, signal: settings.signal }));
        const last = parseResult(timed.at(-1)!);
        if (last) scenarioTimes[lab.number] = last.scenarios;
        rows.push({ what: `lab ${lab.number} (${lab.slug})`, seconds: seconds(timed), goal: labGoalSeconds(lab), outcome: outcome(last, timed.at(-1)!), ...slowest(last), load: loadAverage() });
      }

      if (!settings.quick && !settings.signal.aborted) {
        settings.progress('feedback: npm run check -- --target solutions');
        const out = mkdtempSync(path.join(os.tmpdir(), 'socketlab-bench-check-'));
        try {
          const timed = await repeat(Math.min(runs, 3), () => timeKitCommand('check', ['--target', 'solutions', '--out', out], { capMs: 5 * RUN_CAP_MS, env, signal: settings.signal }));
          const closing = /^(\d+) passed, (\d+) failed$/m.exec(timed.at(-1)!.stdout);
          rows.push({ what: 'all labs (npm run check)', seconds: seconds(timed), goal: CHECK_GOAL_S, outcome: closing ? `${closing[1]} passed, ${closing[2]} failed` : 'no closing line', load: loadAverage() });
        } finally {
          rmSync(out, { recursive: true, force: true });
        }
      }

      if (!settings.signal.aborted) {
        settings.progress('feedback: a program that hangs (lab 1 against blocks-event-loop)');
        const timed = await repeat(Math.min(runs, 3), () => timeKitCommand('lab', ['1', '--target', hangingFixture, '--json'], { capMs: RUN_CAP_MS, env, signal: settings.signal }));
        const last = parseResult(timed.at(-1)!);
        rows.push({ what: 'a hang (lab 1, blocks-event-loop)', seconds: seconds(timed), goal: HANG_GOAL_S, outcome: outcome(last, timed.at(-1)!), ...slowest(last), load: loadAverage() });
      }

      const pieces = settings.signal.aborted ? [] : await breakdown(settings, env, runs);
      const waits = deliberateWaits(scenarioTimes);
      return { tables: tables(rows, pieces, waits, skipped, runs), figures: { runs, labs: rows, pieces, waits, skipped, scenarioTimes } };
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  },
};

async function repeat<T>(times: number, once: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await once());
  return out;
}

const seconds = (timed: TimedRun[]) => spread(timed.map((t) => t.ms / 1000));

function parseResult(run: TimedRun): LabResult | undefined {
  try {
    return JSON.parse(run.stdout) as LabResult;
  } catch {
    return undefined;
  }
}

function outcome(result: LabResult | undefined, run: TimedRun): string {
  if (run.killed) return `stopped at the benchmark's cap of ${RUN_CAP_MS / 1000} s`;
  if (!result) return `no result (exit ${run.code}): ${run.stderr.trim().split('\n')[0] ?? ''}`;
  const passed = result.scenarios.filter((s) => s.status === 'pass').length;
  return `${passed}/${result.scenarios.length} passed${result.runError ? `; ${result.runError.split('\n')[0]}` : ''}`;
}

function slowest(result: LabResult | undefined): { slowest?: string } {
  if (!result) return {};
  const top = [...result.scenarios].sort((a, b) => b.durationMs - a.durationMs).slice(0, 2);
  return { slowest: top.map((s) => `${s.id} ${s.durationMs} ms`).join(', ') };
}

// ---- the pieces ---------------------------------------------------------------------------------

async function breakdown(settings: BenchSettings, env: Record<string, string>, runs: number): Promise<Piece[]> {
  const times = settings.quick ? 2 : Math.max(3, Math.min(runs, 5));
  const pieces: Piece[] = [];
  const piece = async (what: string, note: string, once: () => Promise<number>) => {
    if (settings.signal.aborted) return;
    settings.progress(`feedback: ${what}`);
    const values: number[] = [];
    for (let i = 0; i < times; i++) values.push(await once());
    pieces.push({ what, ms: spread(values), note, load: loadAverage() });
  };
  const command = (args: string[]) => async () => (await timeCommand(process.execPath, args, { capMs: 30_000, env, signal: settings.signal })).ms;

  await piece('node alone', 'node -e 0', command(['-e', '0']));
  await piece('node + tsx', 'node --import tsx -e 0: the TypeScript loader, which the kit\'s commands and learner programs no longer start with (both run compiled)', command(['--import', 'tsx', '-e', '0']));
  await piece('the lab CLI, started', 'npm run lab -- --help without npm: the launcher, the compiled CLI and what it imports', command(kitCommand('lab', ['--help'])));

  const quickLabs = settings.quick ? labs.filter((l) => l.number === 1) : labs.filter(runnable);
  for (const lab of quickLabs) {
    await piece(`lab ${lab.number}: a run with no scenario`, 'runLab() with a filter matching nothing: the supervisor, vitest starting, the lab\'s test file loaded, vitest ending', async () => {
      const started = performance.now();
      await runLab({ lab, target: solutions, only: ['(no scenario)'], ...(settings.signal ? { signal: settings.signal } : {}) });
      return performance.now() - started;
    });
  }
  for (const lab of quickLabs) {
    await piece(`lab ${lab.number}: its program compiled`, 'esbuild, once per run: the program\'s files into one JavaScript file that plain node starts', async () => {
      const started = performance.now();
      await compileProgram(entryIn(solutions, lab));
      return performance.now() - started;
    });
    await piece(`lab ${lab.number}: its program started alone`, 'spawn to "listening on" line, as the harness starts it (node, the compiled program, the child guard)', () => startPrograms(lab, 1));
  }
  const busiest = findLab(settings.quick ? '1' : '5') ?? labs[0]!;
  if (runnable(busiest)) {
    await piece(`lab ${busiest.number}: 4 programs started at once`, 'the slowest of 4 simultaneous starts: the runner runs 4 scenarios at a time, each with its own program', () => startPrograms(busiest, 4));
  }
  await piece('scrypt, N = 1024', 'one hash at the tests\' cost (in-process, async)', () => scryptMs(1024));
  await piece('scrypt, N = 65536', 'one hash at the cost one lab 4 scenario uses', () => scryptMs(65536));
  return pieces;
}

/** Starts `count` copies of the lab's solution at once; resolves with the time until the last is ready. */
async function startPrograms(lab: Lab, count: number): Promise<number> {
  const dirs = Array.from({ length: count }, () => mkdtempSync(path.join(os.tmpdir(), 'socketlab-bench-data-')));
  const started = performance.now();
  const programs = await Promise.allSettled(dirs.map((dir) => LearnerProgram.start({ entry: entryIn(solutions, lab), args: lab.programArgs?.(dir) ?? [] })));
  const ms = performance.now() - started;
  await Promise.all(programs.map((p) => (p.status === 'fulfilled' ? p.value.kill() : undefined)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  const failure = programs.find((p) => p.status === 'rejected');
  if (failure) throw new Error(`the lab ${lab.number} solution did not start: ${(failure as PromiseRejectedResult).reason}`);
  return ms;
}

function scryptMs(N: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) =>
    scrypt('correct horse battery', randomBytes(16), 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 }, (err) => (err ? reject(err) : resolve(performance.now() - started))),
  );
}

/** Scenarios that take much longer than a program start: those waiting on purpose (a lockout, a timeout, a blocked loop). */
function deliberateWaits(times: Record<number, LabResult['scenarios']>): { lab: number; id: string; ms: number }[] {
  return Object.entries(times)
    .flatMap(([lab, scenarios]) => scenarios.filter((s) => s.durationMs >= 1000).map((s) => ({ lab: Number(lab), id: s.id, ms: s.durationMs })))
    .sort((a, b) => b.ms - a.ms);
}

function tables(rows: Measured[], pieces: Piece[], waits: { lab: number; id: string; ms: number }[], skipped: string[], runs: number): Table[] {
  const verdict = (m: Measured) => (m.goal === undefined ? '' : m.seconds.median <= m.goal ? `≤ ${m.goal} s: met` : `≤ ${m.goal} s: MISSED`);
  return [
    {
      title: `Learner feedback: wall time of a verdict against the solutions (median of ${runs}; check and hang: of ${Math.min(runs, 3)})`,
      headers: ['run', 'median s', 'min s', 'max s', 'goal', 'outcome', 'slowest scenarios', 'load 1/5/15'],
      rows: rows.map((m) => [m.what, round(m.seconds.median, 2), round(m.seconds.min, 2), round(m.seconds.max, 2), verdict(m), m.outcome, m.slowest ?? '', formatLoad(m.load)]),
      notes: ['Each run is a fresh process, as the learner starts it: npm run lab -- N --target solutions without npm itself (node harness/cli/launch.mjs lab N …; npm adds about 0.2 s).', ...skipped],
    },
    {
      title: 'Where a lab run\'s time goes: each piece timed alone (ms)',
      headers: ['piece', 'median ms', 'min ms', 'max ms', 'what it is', 'load 1/5/15'],
      rows: pieces.map((p) => [p.what, round(p.ms.median), round(p.ms.min), round(p.ms.max), p.note, formatLoad(p.load)]),
      notes: [
        'A lab run = the CLI starting + a run with no scenario (vitest, the test file) + its scenarios, 4 at a time, each starting its own program.',
        `The slowest scenarios (waits on purpose, restarts, heavy work; each bounds its lab's time from below): ${waits.slice(0, 10).map((w) => `lab ${w.lab} ${w.id} ${w.ms} ms`).join(', ') || 'none'}.`,
      ],
    },
  ];
}
