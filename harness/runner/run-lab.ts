// Runs the hidden scenarios of one lab, or of several, against one implementation tree, as a
// supervisor: vitest runs in its own process (group), under a wall-clock cap, and whatever
// happens (a pass, a hang, Ctrl+C) every process the run started is gone when this returns.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { repoRoot, type Lab } from '../manifest.ts';
import { isAlive, isWindows, killTree, registryFile, runProcesses } from '../kit/process-tree.ts';
import type { LabResult, ScenarioResult } from './results.ts';
import { PROGRESS_MARK, type FileProgress, type RawRun, type RawScenario } from './results-reporter.ts';

/** Vitest's own command, run by this process's Node (no npx, no shell: the same on every OS). */
export const vitestBin = path.join(path.dirname(fileURLToPath(import.meta.resolve('vitest/package.json'))), 'vitest.mjs');
/** What the supervised process runs: vitest, configured for lab runs (plain JS, no loader needed). */
const startVitest = path.join(repoRoot, 'harness', 'runner', 'start-vitest.mjs');
/** Each lab's test file may take this long, from its start, before the supervisor stops the run. */
export const DEFAULT_CAP_MS = 60_000;

export interface RunOptions {
  lab: Lab;
  /** Absolute path of the implementation tree (labs/, solutions/, a submission…). */
  target: string;
  capMs?: number;
  signal?: AbortSignal;
  /** Absolute paths of more test files to run with the lab's own (an instructor's private scenarios, `--extra`). */
  extraTests?: string[];
  /** Run and report only these scenario ids (`--replay`); the lab's other scenarios are skipped. */
  only?: string[];
  /** Keep the wire transcript of passing scenarios too (`--replay` shows it); failures always have one. */
  keepTranscripts?: boolean;
  /**
   * An empty folder for the run's own files (results, pid registry), owned by the caller. Its path
   * tags every process the run starts (SOCKETLAB_RUN_DIR), so a caller can look for leftovers of
   * this run alone. Without it, the run makes a folder of its own and removes it.
   */
  runDir?: string;
}

export async function runLab({ lab, extraTests = [], ...options }: RunOptions): Promise<LabResult> {
  const [result] = await runLabs({ ...options, labs: [{ lab, extraTests }] });
  return result!;
}

/** One lab of a run of several, with the instructor's private test files that belong to it. */
export interface LabInRun {
  lab: Lab;
  extraTests?: string[];
}

export interface RunLabsOptions extends Omit<RunOptions, 'lab' | 'extraTests'> {
  labs: readonly LabInRun[];
  /** Labs run at the same time (each in a worker of the one vitest). */
  workers?: number;
}

/**
 * Runs several labs against one tree in one supervised vitest: vitest starts once, not once per
 * lab (half a second of CPU each time). Each test file has `capMs` from the moment it starts:
 * a lab whose file goes past it is stopped and gets the cap's error (timedOut), the labs that
 * had finished keep their results, and the others, stopped half-way or not started, run again
 * without it. One lab that hangs costs its own cap, not the labs beside it.
 */
export async function runLabs(options: RunLabsOptions): Promise<LabResult[]> {
  if (options.labs.length === 0) return [];
  const runDir = options.runDir ?? mkdtempSync(path.join(os.tmpdir(), 'socketlab-run-'));
  try {
    const { results, again } = await runOnce({ ...options, runDir });
    if (again.length === 0 || options.signal?.aborted) return results;
    const rerun = await runLabs({ ...options, labs: again.map((index) => options.labs[index]!), runDir });
    again.forEach((index, i) => (results[index] = rerun[i]!));
    return results;
  } finally {
    if (!options.runDir) rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * One supervised vitest for `labs`. `again` lists the labs to run once more: those that were
 * stopped because another lab went past its cap (never the lab that did, so runs get shorter).
 */
async function runOnce({ labs, target, capMs = DEFAULT_CAP_MS, signal, only, keepTranscripts = false, runDir, workers = 1 }: RunLabsOptions & { runDir: string }): Promise<{ results: LabResult[]; again: number[] }> {
  const started = performance.now();
  const resultsFile = path.join(runDir, 'results.json');
  // A run again in the same folder starts from nothing: no results, no pids of the last run to sweep.
  for (const file of [resultsFile, registryFile(runDir)]) rmSync(file, { force: true });
  const testFiles = labs.map(({ lab, extraTests = [] }) => [path.join(repoRoot, lab.tests), ...extraTests]);
  const runWorkers = Math.max(1, Math.min(workers, labs.length));
  // The labs with the most scenarios start first: the short ones then fill the workers' last gaps.
  const longestFirst = testFiles.map((files, index) => ({ files, scenarios: labs[index]!.lab.scenarios.length })).sort((a, b) => b.scenarios - a.scenarios);
  const plan: RunPlan = { files: longestFirst.flatMap(({ files }) => files), ...(only ? { only } : {}), workers: runWorkers };
  const overCap = `The lab run did not finish within ${capMs / 1000} s and was stopped.`;
  const runCapMs = capMs * labs.length;
  const overRunCap = labs.length === 1 ? overCap : `The run of ${labs.length} labs did not finish within ${runCapMs / 1000} s (${capMs / 1000} s a lab) and was stopped.`;
  const run = await superviseVitest(plan, target, runDir, resultsFile, { runCapMs, fileCapMs: capMs, overRunCap }, signal, keepTranscripts);
  const modules = readRaw(resultsFile)?.modules ?? [];
  const elapsed = Math.round(performance.now() - started);
  const again: number[] = [];
  const results = labs.map(({ lab }, index): LabResult => {
    // Alone in its run, a lab owns every file that ran (no path to compare, however it is spelled).
    const files = new Set(testFiles[index]!.map(samePath));
    const own = labs.length === 1 ? modules : modules.filter((module) => files.has(samePath(module.file)));
    // A lab is complete when each of its test files ended.
    const complete = own.length === files.size;
    const overran = [...run.overran].some((file) => labs.length === 1 || files.has(samePath(file)));
    if (!complete && run.overran.size > 0 && !overran && !signal?.aborted) again.push(index);
    const loadErrors = own.flatMap((module) => module.loadErrors);
    const loadError = loadErrors.length ? `The tests could not load:\n${loadErrors.join('\n')}` : undefined;
    const stopped = overran ? overCap : (run.verdict ?? `The test runner ended before this lab's tests did.\n${run.output}`);
    const labError = (complete ? undefined : stopped) ?? loadError;
    const timedOut = !complete && (overran || run.capped);
    return {
      lab: lab.number,
      slug: lab.slug,
      title: lab.title,
      target,
      scenarios: merge(lab, own.flatMap((module) => module.scenarios), labError, only),
      ...(labError ? { runError: labError } : {}),
      ...(timedOut ? { timedOut } : {}),
      // Alone in its run, a lab's time is the run's, from start to sweep, as a learner waits for it.
      durationMs: labs.length === 1 || !complete ? elapsed : own.reduce((sum, module) => sum + module.durationMs, 0),
    };
  });
  return { results, again };
}

/** What start-vitest.mjs runs (SOCKETLAB_RUN_PLAN): `files` in this order. */
interface RunPlan {
  files: string[];
  only?: string[];
  workers: number;
}

/** Vitest names files with forward slashes (and an upper-case drive letter) on Windows; compared as the OS would. */
const samePath = (file: string) => (isWindows ? path.normalize(file).toLowerCase() : path.normalize(file));

/** How a supervised run ended. */
interface RunEnd {
  /** An error sentence when the run did not end on its own. */
  verdict?: string;
  /** True when the run as a whole went past its cap (vitest itself stuck, no file to blame). */
  capped: boolean;
  /** Test files that went past their own cap: the run was stopped for them. */
  overran: Set<string>;
  /** The tail of vitest's own output. */
  output: string;
}

/**
 * Runs start-vitest.mjs under two caps: `fileCapMs` for each test file from its start (told by
 * the reporter on stdout), and `runCapMs` for the whole run, a backstop for a vitest that never
 * gets to a file at all.
 */
function superviseVitest(
  plan: RunPlan,
  target: string,
  runDir: string,
  resultsFile: string,
  { runCapMs, fileCapMs, overRunCap }: { runCapMs: number; fileCapMs: number; overRunCap: string },
  signal: AbortSignal | undefined,
  keepTranscripts: boolean,
): Promise<RunEnd> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {};
    // A lab run started from inside another vitest (the kit's self-test) must not inherit its worker state.
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('VITEST') && !key.startsWith('SOCKETLAB_')) env[key] = value;
    Object.assign(env, {
      SOCKETLAB_TARGET: target,
      SOCKETLAB_RUN_PLAN: JSON.stringify(plan),
      ...(keepTranscripts ? { SOCKETLAB_KEEP_TRANSCRIPTS: '1' } : {}),
      SOCKETLAB_RESULTS: resultsFile,
      SOCKETLAB_RUN_DIR: runDir,
      NODE_ENV: 'test',
    });
    const child = spawn(process.execPath, [startVitest], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: !isWindows,
      windowsHide: true,
    });
    let output = '';
    const keep = (text: string) => (output = (output + text).slice(-8192));
    child.stderr.setEncoding('utf8').on('data', keep);

    let verdict: string | undefined;
    let capped = false;
    const overran = new Set<string>();
    const stop = (why: string) => {
      verdict ??= why;
      if (child.pid) killTree(child.pid);
    };
    const fileTimers = new Map<string, NodeJS.Timeout>();
    const onProgress = ({ event, file }: FileProgress) => {
      clearTimeout(fileTimers.get(file));
      if (event === 'started') {
        const timer = setTimeout(() => {
          overran.add(file);
          stop(`${path.basename(file)} did not finish within ${fileCapMs / 1000} s.`);
        }, fileCapMs);
        fileTimers.set(file, timer);
      }
    };
    // The reporter's progress lines are the supervisor's; everything else is vitest's output.
    createInterface({ input: child.stdout.setEncoding('utf8'), crlfDelay: Infinity }).on('line', (line) => {
      if (!line.startsWith(PROGRESS_MARK)) return keep(`${line}\n`);
      try {
        onProgress(JSON.parse(line.slice(PROGRESS_MARK.length)) as FileProgress);
      } catch {
        keep(`${line}\n`);
      }
    });
    const runTimer = setTimeout(() => {
      capped = verdict === undefined;
      stop(overRunCap);
    }, runCapMs);
    const onAbort = () => stop('The lab run was interrupted.');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();

    child.once('exit', (code) => {
      clearTimeout(runTimer);
      for (const timer of fileTimers.values()) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!verdict && code !== 0 && code !== 1) verdict = `The test runner stopped unexpectedly (exit code ${code}).\n${output.trim()}`;
      void sweep(runDir, child.pid).then(() => resolve({ ...(verdict ? { verdict } : {}), capped, overran, output: output.trim() }));
    });
  });
}

/** A killed process needs a moment to leave; a run returns only once its processes have. */
const GONE_WITHIN_MS = 1500;

/**
 * Kills every learner program the run registered, anything left in vitest's group, and any
 * other process that carries the run's tag (a daemon that left its program's group, or a
 * program whose pid never reached the registry because its worker was killed between spawn()
 * and the write), then waits (bounded) until they are gone. The tag is looked for again each
 * round: a process that forks while being swept hands the tag to its child. After a normal run
 * everything is already gone, so this costs one look; after a forced stop (cap, Ctrl+C) it
 * means "no process left" is true on return.
 */
async function sweep(runDir: string, vitestPid: number | undefined): Promise<void> {
  let pids: number[] = [];
  try {
    pids = readFileSync(registryFile(runDir), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    // No program was started.
  }
  if (vitestPid) pids.push(vitestPid);
  for (const pid of pids) killTree(pid);
  const deadline = performance.now() + GONE_WITHIN_MS;
  for (;;) {
    const strays = runProcesses(runDir);
    for (const pid of strays) killTree(pid);
    if ((strays.length === 0 && !pids.some(isAlive)) || performance.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function readRaw(file: string): RawRun | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RawRun;
  } catch {
    return undefined;
  }
}

/** Every scenario of the manifest that was asked for, in teaching order, with what the run said about it. */
function merge(lab: Lab, raw: RawScenario[], runError: string | undefined, only?: string[]): ScenarioResult[] {
  return lab.scenarios.filter((spec) => !only || only.includes(spec.id)).map((spec) => {
    const found = raw.find((r) => r.id === spec.id);
    const base = { id: spec.id, title: spec.title, durationMs: found?.durationMs ?? 0 };
    if (found?.state === 'passed') return { ...base, status: 'pass', ...(found.connections ? { connections: found.connections } : {}) };
    if (!found || found.state === 'pending' || found.state === 'skipped') {
      return { ...base, status: 'error', failure: { message: runError ? `Not run: ${firstLine(runError)}` : 'Not run.', connections: [] } };
    }
    const failure = found.failure ?? { message: found.error ?? 'The scenario failed.', connections: [] };
    // No failure report means the scenario broke outside the glue (vitest's own backstop, a harness bug).
    const timedOut = failure.details?.kind === 'timeout' || /timed out/i.test(found.error ?? '');
    const harnessBroke = !found.failure || failure.details?.kind === 'harness';
    return { ...base, status: timedOut ? 'timeout' : harnessBroke ? 'error' : 'fail', failure };
  });
}

const firstLine = (text: string) => text.split('\n')[0] ?? text;
