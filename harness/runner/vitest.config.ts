// Vitest configuration for one lab run, started by run-lab.ts as its own process.
// Which lab and which implementation come from the environment the runner sets.

import { accessSync, constants, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const testFile = process.env.SOCKETLAB_TEST_FILE;
if (!testFile) throw new Error('SOCKETLAB_TEST_FILE is not set: lab tests run through `npm run lab`.');
// An instructor's private scenarios (`npm run check -- --extra <dir>`) live outside the kit.
const extraTests = JSON.parse(process.env.SOCKETLAB_EXTRA_TESTS ?? '[]') as string[];
// `--replay` runs chosen scenarios only; test names are scenario ids, matched whole.
const only = process.env.SOCKETLAB_ONLY ? (JSON.parse(process.env.SOCKETLAB_ONLY) as string[]) : undefined;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// The kit's harness/ folder, with forward slashes (what Vite's alias expects on every OS).
const kitHarness = fileURLToPath(new URL('..', import.meta.url)).replaceAll('\\', '/');

/**
 * Vitest keeps the harness's compiled TypeScript here between runs, so a lab run does not
 * compile the test kit again each time (about a quarter of a second of every run). The learner's
 * code is not in it: their program runs as its own process. In the kit's cache folder, beside
 * the compiled commands (harness/cli/launch.mjs), which `npm ci` clears. Used only where it can
 * be written: a failed write would fail the run's imports.
 */
const moduleCache = fileURLToPath(new URL('../../node_modules/.cache/socketlab/vitest', import.meta.url));
function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export default defineConfig({
  test: {
    include: [testFile, ...extraTests],
    ...(only ? { testNamePattern: new RegExp(`^(?:${only.map(escapeRegExp).join('|')})$`) } : {}),
    watch: false,
    pool: 'forks',
    maxWorkers: 1,
    // Each scenario starts its own copy of the learner's program, so scenarios can overlap:
    // a silent program costs one wait, not one wait per scenario. Four at a time keeps a
    // 2-core machine responsive enough for the harness's bounds.
    sequence: { concurrent: true, shuffle: false },
    maxConcurrency: 4,
    reporters: ['./harness/runner/results-reporter.ts'],
    experimental: { fsModuleCache: writable(moduleCache), fsModuleCachePath: moduleCache },
    // The harness's own waits are bounded; these are only backstops.
    hookTimeout: 15_000,
    teardownTimeout: 5_000,
  },
  // Lets those private test files import the kit as 'socketlab/harness/…' from anywhere.
  resolve: { alias: { 'socketlab/harness/': kitHarness } },
});
