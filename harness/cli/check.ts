// `npm run check`: the instructor's grader. For one tree (labs/ by default, or --target) it
// runs every selected lab's hidden scenarios, prints a score table and writes results.json,
// junit.xml and report.md. With --submissions it grades a whole class, each submission in an
// isolated temporary copy with this kit's pristine harness, and writes a gradebook.
// Exit status: 0 when the run completed (whatever the score; with --strict, 1 when any
// scenario failed), 2 for a usage error, 130 on Ctrl+C.

import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gradeClass } from '../grading/class-runner.ts';
import { classSummary, classTable } from '../grading/class-table.ts';
import { loadExtras, noExtras, type Extras } from '../grading/extra-scenarios.ts';
import { gradeTree } from '../grading/grade-tree.ts';
import { selectLabs } from '../grading/lab-selection.ts';
import { loadPoints, type Points } from '../grading/points.ts';
import { progressOn } from '../grading/progress.ts';
import { relabelTarget } from '../grading/relabel.ts';
import { resultsDocument } from '../grading/results-document.ts';
import { withScratchFolder } from '../grading/scratch.ts';
import { scoreTable } from '../grading/score-table.ts';
import { RESULT_FILES, writeResults } from '../grading/write-results.ts';
import { labs as allLabs, type Lab } from '../manifest.ts';
import { styleFor } from '../report/style.ts';
import { DEFAULT_CAP_MS } from '../runner/run-lab.ts';
import { resolveTarget } from './target.ts';
import { runCli, UsageError } from './usage-error.ts';

const cores = os.availableParallelism();

const usage = `usage: npm run check -- [--target <folder> | --submissions <dir>] [options]

  Grades one implementation tree (labs/ by default) and writes results.json, junit.xml and
  report.md; with --submissions, grades a whole class and writes a gradebook.

  --target <folder>      the tree to grade: "labs" (default), "solutions", or any folder laid out like labs/
  --submissions <dir>    grade a class: each folder or .zip in <dir> is one student's submission
  --labs <list>          labs to grade, like "1-3", "1,3" or "echo" (default: all ${allLabs.length})
  --out <folder>         where the results go (default: results)
  --points <file>        a JSON file of points per lab and scenario (see docs/instructors.md)
  --extra <dir>          private extra scenarios, run with each lab's own (see docs/instructors.md)
  --jobs <n>             labs (with --submissions: submissions) graded at once (default: ${cores}, the cores)
  --cap <seconds>        wall-clock cap of each lab (default: ${DEFAULT_CAP_MS / 1000})
  --strict               exit with status 1 when any scenario did not pass
  --json                 print results.json (with --submissions: gradebook.json) instead of the table`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      submissions: { type: 'string' },
      labs: { type: 'string' },
      out: { type: 'string', default: 'results' },
      points: { type: 'string' },
      extra: { type: 'string' },
      jobs: { type: 'string' },
      cap: { type: 'string' },
      strict: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (labs are chosen with --labs)`);
  if (values.target !== undefined && values.submissions !== undefined) throw new UsageError('--target and --submissions exclude each other');

  // Paths the user typed are relative to where they ran npm, not to the kit.
  const here = process.env.INIT_CWD ?? process.cwd();
  const labs = selectLabs(values.labs);
  const extras: Extras = values.extra ? await loadExtras(path.resolve(here, values.extra)) : noExtras;
  const points = loadPoints(values.points && path.resolve(here, values.points), allLabs.map((lab) => extras.extend(lab)));
  const jobs = positiveInteger(values.jobs, '--jobs') ?? cores;
  const capMs = (positiveNumber(values.cap, '--cap') ?? DEFAULT_CAP_MS / 1000) * 1000;
  const out = path.resolve(here, values.out);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out must be a folder, and ${out} is a file`);

  // Ctrl+C: stop the runs in progress (each kills every process it started), then leave.
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  process.once('SIGTERM', () => interrupt.abort());
  const settings: Settings = { labs, extras, points, jobs, capMs, out, strict: values.strict, json: values.json, signal: interrupt.signal };
  const submissions = values.submissions;
  const display = values.target ?? 'labs';
  const target = submissions === undefined ? locateTree(display) : undefined;
  const code = await withScratchFolder(() => (submissions !== undefined ? gradeMany(path.resolve(here, submissions), settings) : gradeOne(display, target!, settings)));
  if (interrupt.signal.aborted) {
    console.error(`Interrupted: the grading was stopped and its processes killed; no ${submissions !== undefined ? 'gradebook' : 'results'} written.`);
    return 130;
  }
  return code;
}

interface Settings {
  labs: Lab[];
  extras: Extras;
  points: Points;
  jobs: number;
  capMs: number;
  out: string;
  strict: boolean;
  json: boolean;
  signal: AbortSignal;
}

/** One tree: the table, results.json / junit.xml / report.md, and the closing line. */
async function gradeOne(display: string, target: string, { labs, extras, points, jobs, capMs, out, strict, json, signal }: Settings): Promise<number> {
  const started = performance.now();
  const busy = !json && process.stderr.isTTY;
  if (busy) process.stderr.write(`Grading ${labs.length} lab${labs.length === 1 ? '' : 's'} against ${target} …\r`);
  const grades = (await gradeTree({ target, labs, extras, capMs, jobs, signal })).map((g) => ({ ...g, result: relabelTarget(g.result, display) }));
  if (busy) process.stderr.write('\x1b[2K');
  if (signal.aborted) return 130;
  const doc = resultsDocument(display, grades, points, performance.now() - started);
  writeResults(out, doc, grades);
  if (json) console.log(JSON.stringify(doc, null, 2));
  else {
    console.log(scoreTable(doc, styleFor(process.stdout)));
    console.log(`\nWrote ${RESULT_FILES.map((file) => path.join(out, file)).join(', ')}`);
    console.log(`\n${doc.passed} passed, ${doc.failed} failed`);
  }
  return strict && doc.status !== 'pass' ? 1 : 0;
}

/** A class: every submission in its own temporary copy, then the gradebook. */
async function gradeMany(submissions: string, { labs, extras, points, jobs, capMs, out, strict, json, signal }: Settings): Promise<number> {
  const progress = progressOn(process.stderr, styleFor(process.stderr));
  const book = await gradeClass({ submissions, out, labs, extras, points, capMs, jobs, progress, signal });
  if (!book) return 130;
  if (json) console.log(JSON.stringify(book, null, 2));
  else {
    console.log(`${classTable(book, styleFor(process.stdout))}\n\n${classSummary(book)}`);
    console.log(`Gradebook: ${path.join(out, 'gradebook.csv')} and gradebook.json; each student's ${RESULT_FILES.join(', ')} in ${path.join(out, '<student>')}`);
  }
  return strict && book.students.some((s) => s.status !== 'graded' || s.failed > 0) ? 1 : 0;
}

/**
 * The tree, found the way `npm run lab` finds it. It is a lab tree when it holds any lab of
 * the kit; a selected lab it lacks is graded as missing, so the report still shows it.
 */
function locateTree(value: string): string {
  let firstError: unknown;
  for (const lab of allLabs) {
    try {
      return resolveTarget(value, lab);
    } catch (err) {
      firstError ??= err;
    }
  }
  throw firstError;
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${name} expects a whole number of 1 or more, got "${value}"`);
  return Number(value);
}

function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!value.trim() || !Number.isFinite(n) || n <= 0) throw new UsageError(`${name} expects a number of seconds above 0, got "${value}"`);
  return n;
}

await runCli(main);
