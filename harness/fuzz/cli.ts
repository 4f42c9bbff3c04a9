// `npm run fuzz`: feeds generated and mutated inputs to the code that reads what strangers send
// (the frame decoder, both sides of the handshake, sealed frames, the chat messages) and checks
// each answer against the protocol. Each driver runs in a worker thread of its own, stopped if an
// input loops or memory runs away (isolated-run.ts). Seeded: the seed is printed, and `--seed` repeats a run
// input for input; `--only <n>` replays one input. Exit status: 0 when every driver ran all its
// inputs without a failure, 1 otherwise, 2 for a usage error.

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCli, UsageError } from '../cli/usage-error.ts';
import { repoRoot } from '../manifest.ts';
import { styleFor } from '../report/style.ts';
import type { DriverReport } from './engine.ts';
import { DEFAULT_LIMITS, runIsolated, type IsolatedResult } from './isolated-run.ts';
import { freshSeed } from './random.ts';
import { slots } from './targets.ts';

/** Two drivers at a time: a worker thread each, on the two cores this kit is made for. */
const DEFAULT_JOBS = Math.min(2, os.availableParallelism());

const usage = `usage: npm run fuzz -- [--seed <n>] [--inputs <n>] [--driver <name>] [--target <folder>] [--only <n>] [--jobs <n>] [--json]

  Fuzzes the code that reads what strangers send, and checks every answer against the protocol.

  --seed <n>          repeat a run exactly (default: a fresh seed, printed)
  --inputs <n>        inputs per driver (default: 100000)
  --driver <name>     one driver only: ${slots.map((s) => `"${s.name}"`).join(', ')}
  --target <folder>   the tree whose code is fuzzed: "solutions" (default), "labs", or any folder laid out like labs/
  --only <n>          replay input number n only (with the --seed and --driver of the failure)
  --jobs <n>          drivers run at once, each in a worker thread (default: ${DEFAULT_JOBS})
  --max-seconds <s>   stop a driver that takes longer, and count that as a failure (default: 600)
  --input-seconds <s> stop a driver when one input takes longer: an endless loop (default: ${DEFAULT_LIMITS.inputMs / 1000})
  --json              print the reports as JSON`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      inputs: { type: 'string', default: '100000' },
      driver: { type: 'string' },
      target: { type: 'string', default: 'solutions' },
      only: { type: 'string' },
      'max-seconds': { type: 'string', default: '600' },
      'input-seconds': { type: 'string', default: String(DEFAULT_LIMITS.inputMs / 1000) },
      jobs: { type: 'string', default: String(DEFAULT_JOBS) },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const seed = values.seed === undefined ? freshSeed() : whole(values.seed, '--seed', 0);
  const inputs = whole(values.inputs, '--inputs', 1);
  const maxMs = whole(values['max-seconds'], '--max-seconds', 1) * 1000;
  const only = values.only === undefined ? undefined : whole(values.only, '--only', 0);
  const limits = { ...DEFAULT_LIMITS, inputMs: whole(values['input-seconds'], '--input-seconds', 1) * 1000 };
  const jobs = whole(values.jobs, '--jobs', 1);
  if (values.driver && !slots.some((s) => s.name === values.driver)) throw new UsageError(`no driver "${values.driver}": choose ${slots.map((s) => `"${s.name}"`).join(', ')}`);
  const base = values.target === 'labs' || values.target === 'solutions' ? repoRoot : (process.env.INIT_CWD ?? process.cwd());
  const tree = path.resolve(base, values.target);

  const style = styleFor(process.stdout);
  const say = (line: string) => !values.json && console.log(line);
  say(`fuzzing ${path.relative(process.cwd(), tree) || tree} with seed ${seed} (repeat with --seed ${seed}), ${only === undefined ? `${inputs} inputs per driver` : `input ${only} only`}\n`);

  const chosen = slots.filter((s) => !values.driver || s.name === values.driver);
  const show = (result: IsolatedResult) => {
    if ('skipped' in result) say(`${result.driver}: skipped (${result.skipped})\n`);
    else if ('broken' in result) say(`${result.driver}: ${style.color.red(`FAILED: ${result.broken}`)}\n`);
    else say(describe(result, seed, values.target === 'solutions' ? '' : ` --target ${values.target}`, style));
  };
  const reports = await inOrder(
    chosen.map((slot) => () => runIsolated({ tree, seed, driver: slot.name, inputs, maxMs, ...(only === undefined ? {} : { only }) }, limits)),
    jobs,
    show,
  );
  const failed = reports.filter((r) => 'broken' in r || ('failure' in r && r.failure) || ('stopped' in r && r.stopped));
  if (values.json) console.log(JSON.stringify({ seed, target: tree, reports }, null, 2));
  else say(failed.length ? style.color.red(`${failed.length} of ${reports.length} drivers failed`) : `every driver passed`);
  return failed.length ? 1 : 0;
}

/**
 * Runs the tasks `jobs` at a time and hands each result to `each` in the tasks' order, as soon as
 * it and every one before it are done: the output reads the same whatever finished first.
 */
async function inOrder<T>(tasks: (() => Promise<T>)[], jobs: number, each: (result: T) => void): Promise<T[]> {
  let free = jobs;
  const waiting: (() => void)[] = [];
  const acquire = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve)));
  const release = () => (waiting.length ? waiting.shift()!() : free++);
  const started = tasks.map(async (task) => {
    await acquire(); // first come, first served: the tasks start in their order
    try {
      return await task();
    } finally {
      release();
    }
  });
  const done: T[] = [];
  for (const result of started) {
    done.push(await result);
    each(done.at(-1)!);
  }
  return done;
}

function whole(text: string, option: string, least: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < least) throw new UsageError(`${option} needs a whole number of at least ${least}, not "${text}"`);
  return n;
}

function describe(report: DriverReport, seed: number, targetOption: string, style: ReturnType<typeof styleFor>): string {
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
  const lines = [`${style.color.bold(report.driver)}: ${report.inputs} inputs in ${(report.durationMs / 1000).toFixed(1)} s (process memory at most ${mib(report.peakRssBytes)})`, style.color.dim(`  checks ${report.checks}`)];
  const counts = Object.entries(report.outcomes).sort(([, a], [, b]) => b - a);
  const width = String(counts[0]?.[1] ?? 0).length;
  for (const [outcome, count] of counts) lines.push(`  ${String(count).padStart(width)}  ${outcome}`);
  if (report.stopped) lines.push(style.color.red(`  FAILED: ${report.stopped}`));
  if (report.failure) {
    const f = report.failure;
    lines.push(
      style.color.red(`  FAILED at input ${f.index}: ${f.message}`),
      `    input: ${f.input}`,
      ...(f.steps.length ? [`    made by: ${f.steps.join(', then ')}`] : []),
      `    replay: npm run fuzz -- --seed ${seed}${targetOption} --driver "${report.driver}" --only ${f.index}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

await runCli(main);
