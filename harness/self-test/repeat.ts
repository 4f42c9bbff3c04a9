// `npm run test:repeat`: the kit's self-test run again and again, to find the tests whose
// verdict depends on luck (timing, load, another test file running at the same time).
// Each run is `vitest run` of the self-test configuration in a process of its own, with
// vitest's JSON reporter; the per-test verdicts of every run are compared at the end. With
// --busy, one CPU-burning process per core keeps the machine loaded meanwhile, as a busy CI
// runner or a student's laptop would.
// Exit status: 0 when every test had the same verdict in every run, 1 when some verdict
// differed (or a run produced no results), 2 for a usage error, 130 on Ctrl+C.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCli, UsageError } from '../cli/usage-error.ts';
import { isWindows, killTree } from '../kit/process-tree.ts';
import { repoRoot } from '../manifest.ts';
import { styleFor } from '../report/style.ts';
import { vitestBin } from '../runner/run-lab.ts';

const CONFIG = path.join('harness', 'self-test', 'vitest.config.ts');
const cores = os.availableParallelism();

const usage = `usage: npm run test:repeat -- [--runs <n>] [--busy] [--filter <substring>]... [--run-cap <seconds>]

  Runs the self-test (the vitest part of npm test) several times in a row and lists every
  test whose verdict was not the same in every run. Exit status 1 when there is one.

  --runs <n>              how many runs (default: 20)
  --busy                  keep every core busy meanwhile: one CPU-burning process per core (${cores} here)
  --filter <substring>    only the test files whose path contains it (repeatable), e.g. --filter kit.test
  --run-cap <seconds>     stop a run that takes longer than this, and count it as failed (default: 1200)`;

/** A test's verdict in one run, as vitest's JSON reporter says it, or "missing" when the run did not mention it. */
type Verdict = 'passed' | 'failed' | 'skipped' | 'missing';

interface RunOutcome {
  /** Test name → verdict; undefined when the run produced no results at all (stopped, crashed). */
  verdicts?: Map<string, Verdict>;
  /** Test name → the first line of its failure, for the table. */
  reasons: Map<string, string>;
  passed: number;
  failed: number;
  durationMs: number;
  /** Why there are no verdicts, in one sentence. */
  problem?: string;
}

interface JsonReport {
  testResults: {
    name: string;
    status: string;
    message: string;
    assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[];
  }[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '20' },
      busy: { type: 'boolean', default: false },
      filter: { type: 'string', multiple: true, default: [] },
      'run-cap': { type: 'string', default: '1200' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const runs = positiveInteger(values.runs, '--runs');
  const capMs = positiveInteger(values['run-cap'], '--run-cap') * 1000;
  const style = styleFor(process.stdout);

  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  // Every burner stops by itself once every run could have reached its cap, or when this process goes away.
  const burners = values.busy ? startBurners(cores, runs * capMs) : [];
  if (burners.length) console.log(`keeping ${burners.length} cores busy with ${burners.length} CPU-burning processes`);

  const outcomes: RunOutcome[] = [];
  try {
    for (let run = 1; run <= runs && !stop.signal.aborted; run++) {
      const outcome = await runOnce(values.filter, capMs, stop.signal);
      outcomes.push(outcome);
      console.log(runLine(run, runs, outcome, style));
      if (run === 1 && outcome.verdicts?.size === 0) throw new UsageError(`no test matched ${values.filter.map((f) => JSON.stringify(f)).join(', ')}`);
    }
  } finally {
    for (const burner of burners) burner.kill('SIGKILL');
    process.off('SIGINT', onSigint);
  }
  if (stop.signal.aborted) {
    console.log('interrupted');
    return 130;
  }
  const report = flakeReport(outcomes);
  console.log(`\n${report.text}`);
  return report.unstable ? 1 : 0;
}

function positiveInteger(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} needs a whole number of at least 1, not "${text}"`);
  return n;
}

/** One run of the self-test in a vitest process of its own, stopped (with all it started) at the cap or on Ctrl+C. */
async function runOnce(filters: string[], capMs: number, signal: AbortSignal): Promise<RunOutcome> {
  const started = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-repeat-'));
  const resultsFile = path.join(dir, 'results.json');
  // The run's temporary files (lab runs, data folders) go in a folder of this run's own, removed
  // with it: a run stopped at the cap or by Ctrl+C is killed, and cannot clean up after itself.
  const tmp = path.join(dir, 'tmp');
  mkdirSync(tmp);
  try {
    const child = spawn(process.execPath, [vitestBin, 'run', '--config', CONFIG, '--reporter=json', `--outputFile=${resultsFile}`, ...filters], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', TMPDIR: tmp, TMP: tmp, TEMP: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own group: one signal at the cap stops vitest, its workers and the lab runs they started.
      detached: !isWindows,
      windowsHide: true,
    });
    let tail = '';
    const keep = (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let stoppedWhy: string | undefined;
    const stopRun = (why: string) => {
      stoppedWhy ??= why;
      if (child.pid) killTree(child.pid);
    };
    const timer = setTimeout(() => stopRun(`stopped after ${capMs / 1000} s (--run-cap)`), capMs);
    const onAbort = () => stopRun('interrupted');
    signal.addEventListener('abort', onAbort, { once: true });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);

    const durationMs = performance.now() - started;
    const report = readReport(resultsFile);
    if (stoppedWhy || !report) {
      const problem = stoppedWhy ?? `vitest exited with code ${code} and wrote no results; it printed last:\n${lastLines(tail, 12)}`;
      return { reasons: new Map(), passed: 0, failed: 0, durationMs, problem };
    }
    return { ...verdictsOf(report), durationMs };
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 }); // retried: a killed run's processes may still be exiting
  }
}

function readReport(file: string): JsonReport | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
  } catch {
    return undefined;
  }
}

/**
 * Every test's verdict, named "file > suite > test". A file that broke outside its tests (it did
 * not load, a hook threw, an empty suite) gets a verdict of its own, "file (the file itself)", and
 * counts as one failure when none of its tests failed: the same rule as npm test's closing line.
 */
function verdictsOf(report: JsonReport): Omit<RunOutcome, 'durationMs'> {
  const verdicts = new Map<string, Verdict>();
  const reasons = new Map<string, string>();
  let passed = 0;
  let failed = 0;
  for (const file of report.testResults) {
    const fileName = path.relative(repoRoot, file.name).split(path.sep).join('/');
    let failedHere = 0;
    for (const test of file.assertionResults) {
      const name = [fileName, ...test.ancestorTitles, test.title].join(' > ');
      const verdict: Verdict = test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped';
      verdicts.set(name, verdict);
      if (verdict === 'passed') passed++;
      if (verdict === 'failed') {
        failedHere++;
        reasons.set(name, firstLine(test.failureMessages[0] ?? ''));
      }
    }
    const fileItself = `${fileName} (the file itself)`;
    const broken = Boolean(file.message?.trim());
    verdicts.set(fileItself, broken ? 'failed' : 'passed');
    if (broken) reasons.set(fileItself, firstLine(file.message));
    failed += failedHere === 0 && broken ? 1 : failedHere;
  }
  return { verdicts, reasons, passed, failed };
}

/** The last `count` lines of some output, without colour codes (some of vitest's errors are coloured whatever NO_COLOR says). */
function lastLines(text: string, count: number): string {
  const plain = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  return plain.trimEnd().split('\n').slice(-count).map((line) => `      | ${line.slice(0, 240)}`).join('\n');
}

const firstLine = (text: string) => {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
};

function runLine(run: number, runs: number, outcome: RunOutcome, style: ReturnType<typeof styleFor>): string {
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)} s`;
  const head = `run ${String(run).padStart(String(runs).length)}/${runs}:`;
  if (outcome.problem) return `${head} ${style.color.red(`no results: ${outcome.problem}`)} (${seconds})`;
  const failedNames = [...outcome.verdicts!].filter(([, v]) => v === 'failed').map(([name]) => `      ${style.fail} ${name}`);
  const counts = `${outcome.passed} passed, ${outcome.failed} failed`;
  return [`${head} ${outcome.failed ? style.color.red(counts) : counts} (${seconds})`, ...failedNames].join('\n');
}

/** The tests whose verdict was not the same in every run that produced results, and those that failed every time. */
function flakeReport(outcomes: RunOutcome[]): { text: string; unstable: boolean } {
  const withResults = outcomes.map((o, i) => ({ run: i + 1, ...o })).filter((o) => o.verdicts);
  const names = new Set(withResults.flatMap((o) => [...o.verdicts!.keys()]));
  const unstable: string[] = [];
  const alwaysFailed: string[] = [];
  for (const name of [...names].sort()) {
    const seen = withResults.map((o) => ({ run: o.run, verdict: o.verdicts!.get(name) ?? 'missing', reason: o.reasons.get(name) }));
    const distinct = new Set(seen.map((s) => s.verdict));
    if (distinct.size > 1) {
      const count = (v: Verdict) => seen.filter((s) => s.verdict === v).length;
      const failedRuns = seen.filter((s) => s.verdict !== 'passed').map((s) => `${s.run} (${s.verdict})`);
      const reason = seen.find((s) => s.reason)?.reason;
      unstable.push(
        `  ${String(count('passed')).padStart(6)} ${String(count('failed')).padStart(6)} ${String(count('skipped') + count('missing')).padStart(6)}  ${name}\n` +
          `                        not passed in run ${failedRuns.join(', ')}${reason ? `\n                        first failure: ${reason}` : ''}`,
      );
    } else if (distinct.has('failed')) {
      alwaysFailed.push(`  ${name}${seen[0]?.reason ? `\n      ${seen[0].reason}` : ''}`);
    }
  }
  const noResults = outcomes.map((o, i) => ({ run: i + 1, ...o })).filter((o) => !o.verdicts);
  const lines: string[] = [];
  if (unstable.length) {
    lines.push(`Tests whose verdict differed between runs: ${unstable.length} of ${names.size} (each test, and each file itself)`, '  passed failed other  test', ...unstable);
  } else {
    lines.push(`Every one of ${names.size} verdicts (each test, and each file itself) was the same in all ${withResults.length} runs with results.`);
  }
  if (alwaysFailed.length) lines.push('', `Failed in every run (not flaky, just failing): ${alwaysFailed.length}`, ...alwaysFailed);
  if (noResults.length) lines.push('', `Runs that produced no results: ${noResults.map((o) => `${o.run} (${firstLine(o.problem ?? '')})`).join(', ')}`);
  return { text: lines.join('\n'), unstable: unstable.length > 0 || noResults.length > 0 };
}

/**
 * One process per core that burns CPU in 50 ms slices until `maxMs` has passed. Between slices
 * its event loop runs, so it exits as soon as its IPC channel to us closes: it can never outlive
 * this script, even one killed without a chance to clean up.
 */
function startBurners(count: number, maxMs: number): ChildProcess[] {
  const burn = `
    const end = Date.now() + ${maxMs};
    process.on('disconnect', () => process.exit(0));
    (function slice() {
      const stop = Math.min(end, Date.now() + 50);
      while (Date.now() < stop);
      if (Date.now() < end) setImmediate(slice); else process.exit(0);
    })();`;
  return Array.from({ length: count }, () => spawn(process.execPath, ['-e', burn], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], windowsHide: true }));
}

await runCli(main);
