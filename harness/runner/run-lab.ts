// Runs the hidden scenarios of one lab, or of several, against one implementation tree, as a
// supervisor: vitest runs in its own process (group), under a wall-clock cap, and whatever
// happens (a pass, a hang, Ctrl+C) every process the run started is gone when this returns.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, type Lab } from '../manifest.ts';
import { isAlive, isWindows, killTree, registryFile, runProcesses } from '../kit/process-tree.ts';
import type { LabResult, ScenarioResult } from './results.ts';
import type { RawRun, RawScenario } from './results-reporter.ts';

/** Vitest's own command, run by this process's Node (no npx, no shell: the same on every OS). */
export const vitestBin = path.join(path.dirname(fileURLToPath(import.meta.resolve('vitest/package.json'))), 'vitest.mjs');
/** What the supervised process runs: vitest, configured for lab runs (plain JS, no loader needed). */
const startVitest = path.join(repoRoot, 'harness', 'runner', 'start-vitest.mjs');
/** A whole lab run may take this long before the supervisor stops it. */
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
 * lab (half a second of CPU each time). The cap is per lab, so the run's cap is the time the
 * labs would take one after the other on each worker. A lab the run did not finish (the cap, a
 * crash, Ctrl+C) gets the run's error; the labs that finished before keep their results. A lab
 * that had not started when a lab before it used up the run's time gets a run of its own: one
 * lab that hangs costs its own cap, not the labs after it.
 */
export async function runLabs(options: RunLabsOptions): Promise<LabResult[]> {
  const runDir = options.runDir ?? mkdtempSync(path.join(os.tmpdir(), 'socketlab-run-'));
  try {
    const { results, notStarted } = await runOnce({ ...options, runDir });
    if (notStarted.length === 0 || notStarted.length === options.labs.length || options.signal?.aborted) return results;
    const again = await runLabs({ ...options, labs: notStarted.map((index) => options.labs[index]!), runDir });
    notStarted.forEach((index, i) => (results[index] = again[i]!));
    return results;
  } finally {
    if (!options.runDir) rmSync(runDir, { recursive: true, force: true });
  }
}

/** One supervised vitest for `labs`; `notStarted` lists the labs it stopped at the cap before they began. */
async function runOnce({ labs, target, capMs = DEFAULT_CAP_MS, signal, only, keepTranscripts = false, runDir, workers = 1 }: RunLabsOptions & { runDir: string }): Promise<{ results: LabResult[]; notStarted: number[] }> {
  const started = performance.now();
  const resultsFile = path.join(runDir, 'results.json');
  // A run again in the same folder starts from nothing: no results, no pids of the last run to sweep.
  for (const file of [resultsFile, registryFile(runDir)]) rmSync(file, { force: true });
  const testFiles = labs.map(({ lab, extraTests = [] }) => [path.join(repoRoot, lab.tests), ...extraTests]);
  const runWorkers = Math.max(1, Math.min(workers, labs.length));
  const plan: RunPlan = { files: testFiles.flat(), ...(only ? { only } : {}), workers: runWorkers };
  const runCapMs = capMs * Math.ceil(labs.length / runWorkers);
  const overCap =
    labs.length === 1
      ? `The lab run did not finish within ${capMs / 1000} s and was stopped.`
      : `The run of ${labs.length} labs (${capMs / 1000} s each, ${runWorkers} at a time) did not finish within ${runCapMs / 1000} s and was stopped.`;
  const run = await superviseVitest(plan, target, runDir, resultsFile, { capMs: runCapMs, overCap }, signal, keepTranscripts);
  const raw = readRaw(resultsFile);
  const modules = raw?.modules ?? [];
  const startedFiles = new Set((raw?.started ?? []).map(samePath));
  const elapsed = Math.round(performance.now() - started);
  const notStarted = run.capped ? testFiles.flatMap((files, index) => (files.some((file) => startedFiles.has(samePath(file))) ? [] : [index])) : [];
  const results = labs.map(({ lab }, index): LabResult => {
    const files = new Set(testFiles[index]!.map(samePath));
    const own = modules.filter((module) => files.has(samePath(module.file)));
    // A lab is complete when each of its test files ended; otherwise the run's error is its error.
    const complete = own.length === files.size;
    const loadErrors = own.flatMap((module) => module.loadErrors);
    const loadError = loadErrors.length ? `The tests could not load:\n${loadErrors.join('\n')}` : undefined;
    const labError = (complete ? undefined : (run.verdict ?? `The test runner ended before this lab's tests did.\n${run.output}`)) ?? loadError;
    const timedOut = !complete && run.capped;
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
  return { results, notStarted };
}

/** What start-vitest.mjs runs (SOCKETLAB_RUN_PLAN). */
interface RunPlan {
  files: string[];
  only?: string[];
  workers: number;
}

/** Vitest names files with forward slashes on every OS; compared as the OS spells them. */
const samePath = (file: string) => path.normalize(file);

/** How a supervised run ended. */
interface RunEnd {
  /** An error sentence when the run did not end on its own. */
  verdict?: string;
  /** True when that was the cap. */
  capped: boolean;
  /** The tail of vitest's own output. */
  output: string;
}

function superviseVitest(plan: RunPlan, target: string, runDir: string, resultsFile: string, { capMs, overCap }: { capMs: number; overCap: string }, signal: AbortSignal | undefined, keepTranscripts: boolean): Promise<RunEnd> {
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
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-8192));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);

    let verdict: string | undefined;
    let capped = false;
    const stop = (why: string) => {
      verdict ??= why;
      if (child.pid) killTree(child.pid);
    };
    const timer = setTimeout(() => {
      capped = verdict === undefined;
      stop(overCap);
    }, capMs);
    const onAbort = () => stop('The lab run was interrupted.');
    signal?.addEventListener('abort', onAbort, { once: true });

    child.once('exit', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!verdict && code !== 0 && code !== 1) verdict = `The test runner stopped unexpectedly (exit code ${code}).\n${output.trim()}`;
      void sweep(runDir, child.pid).then(() => resolve({ ...(verdict ? { verdict } : {}), capped, output: output.trim() }));
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
