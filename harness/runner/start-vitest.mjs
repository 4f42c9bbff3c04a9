// Vitest for one supervised run of lab scenarios, started by run-lab.ts as its own process
// (`node harness/runner/start-vitest.mjs`). Which test files, which scenarios and which
// implementation come from the environment the runner sets.
//
// Plain JavaScript on purpose: it runs in a bare `node`, with no TypeScript loader to start
// first. Vitest is configured here, in code, not through a config file: loading a config file
// means bundling it first, a twentieth of a second of every lab run.

import { accessSync, constants, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createVitest } from 'vitest/node';

/** @type {{ files: string[], only?: string[], workers: number }} */
const plan = JSON.parse(process.env.SOCKETLAB_RUN_PLAN ?? 'null');
if (!plan) throw new Error('SOCKETLAB_RUN_PLAN is not set: lab tests run through `npm run lab`.');

const kitRoot = fileURLToPath(new URL('../..', import.meta.url));
// The kit's harness/ folder, with forward slashes (what Vite's alias expects on every OS).
const kitHarness = fileURLToPath(new URL('..', import.meta.url)).replaceAll('\\', '/');
/** @param {string} text */
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * A file's path as a glob that matches only itself: forward slashes (what vitest's globs take on
 * every OS), and glob characters in folder names (a "(1)" in a download folder) escaped.
 * @param {string} file
 */
const globOf = (file) => file.replaceAll('\\', '/').replace(/[()[\]{}!*?+@]/g, '\\$&');
/** Files compared the way vitest names them: forward slashes; on Windows, any drive-letter case. @param {string} file */
const comparable = (file) => (process.platform === 'win32' ? file.replaceAll('\\', '/').toLowerCase() : file);
const planOrder = plan.files.map(comparable);

/**
 * Test files run in the plan's order (the runner's choice, each lab's extra files after it), not in
 * vitest's default order, which comes from earlier runs' durations: a run of the same labs
 * should start them the same way every time.
 */
class PlanOrder {
  /** @param {import('vitest/node').TestSpecification[]} files */
  async sort(files) {
    const rank = (/** @type {import('vitest/node').TestSpecification} */ spec) => {
      const index = planOrder.indexOf(comparable(spec.moduleId));
      return index === -1 ? planOrder.length : index;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }

  /** @param {import('vitest/node').TestSpecification[]} files */
  async shard(files) {
    return files;
  }
}

/**
 * Vitest keeps the harness's compiled TypeScript here between runs, so a lab run does not
 * compile the test kit again each time (about a quarter of a second of every run). The learner's
 * code is not in it: their program runs as its own process. In the kit's cache folder, beside
 * the compiled commands (harness/cli/launch.mjs), which `npm ci` clears. Used only where it can
 * be written: a failed write would fail the run's imports.
 */
const moduleCache = fileURLToPath(new URL('../../node_modules/.cache/socketlab/vitest', import.meta.url));
/** @param {string} dir */
function writable(dir) {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const vitest = await createVitest(
  'test',
  {
    config: false,
    root: kitRoot,
    include: plan.files.map(globOf),
    // `--replay` runs chosen scenarios only; test names are scenario ids, matched whole.
    ...(plan.only ? { testNamePattern: new RegExp(`^(?:${plan.only.map(escapeRegExp).join('|')})$`) } : {}),
    watch: false,
    // Threads, not processes: the harness's test code never runs the learner's code (their
    // program is a child process of its own), so a worker thread is as safe as a worker
    // process and starts a tenth of a second sooner. A worker runs lab after lab (a check)
    // without loading the kit's modules again: their state is per scenario, not per module.
    pool: 'threads',
    isolate: false,
    maxWorkers: plan.workers,
    // Each scenario starts its own copy of the learner's program, so scenarios can overlap:
    // a silent program costs one wait, not one wait per scenario. Four at a time keeps a
    // 2-core machine responsive enough for the harness's bounds.
    sequence: { concurrent: true, shuffle: false, sequencer: PlanOrder },
    maxConcurrency: 4,
    reporters: ['./harness/runner/results-reporter.ts'],
    experimental: { fsModuleCache: writable(moduleCache), fsModuleCachePath: moduleCache },
    // The harness's own waits are bounded; these are only backstops.
    hookTimeout: 15_000,
    teardownTimeout: 5_000,
  },
  // Lets an instructor's private test files import the kit as 'socketlab/harness/…' from anywhere.
  { resolve: { alias: { 'socketlab/harness/': kitHarness } } },
);
try {
  await vitest.start();
} finally {
  // Anything still holding the process open after the run (a stray handle) gets teardownTimeout
  // to let go, as `vitest run` does; the supervisor's cap is not meant for that.
  setTimeout(() => process.exit(), 5_000).unref();
  await vitest.close();
}
