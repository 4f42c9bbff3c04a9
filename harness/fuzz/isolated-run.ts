// Runs one fuzz driver in a worker thread of its own, watched from here. Code that reads
// hostile input can loop forever (a length read as -4 that never moves the stream on) or grow
// without bound; inside the same thread the fuzzer could never report that. The worker notes
// each input on a shared board before checking it, so when one input runs too long, or the
// worker runs out of heap, or the process's memory passes a bound, the worker is stopped and
// the report names that input.

import { Worker } from 'node:worker_threads';
import type { DriverReport } from './engine.ts';
import { ProgressBoard, type Snapshot } from './progress-board.ts';
import type { WorkerJob } from './worker.ts';

export interface Limits {
  /** The longest one input may take. */
  inputMs: number;
  /** The longest loading the code under test and setting the driver up may take. */
  setupMs: number;
  /** The worker's heap. */
  heapMb: number;
  /** The whole process's resident memory (Buffers live outside the heap). */
  rssBytes: number;
}

export const DEFAULT_LIMITS: Limits = { inputMs: 5000, setupMs: 30_000, heapMb: 512, rssBytes: 2 * 2 ** 30 };

export type IsolatedResult = DriverReport | { driver: string; skipped: string } | { driver: string; broken: string };

const WATCH_EVERY_MS = 100;
// The worker runs TypeScript: it registers tsx itself (loader hooks do not reach worker threads in Node 20).
const tsxApi = import.meta.resolve('tsx/esm/api');
const workerFile = new URL('./worker.ts', import.meta.url).href;
const boot = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(workerFile)}); })`;

export function runIsolated(job: Omit<WorkerJob, 'board'>, limits: Limits = DEFAULT_LIMITS): Promise<IsolatedResult> {
  const board = new ProgressBoard();
  const started = performance.now();
  const worker = new Worker(boot, {
    eval: true,
    workerData: { ...job, board: board.buffer } satisfies WorkerJob,
    resourceLimits: { maxOldGenerationSizeMb: limits.heapMb },
    // What the code under test prints is not the fuzzer's output (and would break --json).
    stdout: true,
    stderr: true,
  });
  worker.stdout.resume();
  worker.stderr.resume();

  return new Promise((resolve) => {
    let settled = false;
    let checks = '';
    let seen = board.read();
    let seenAt = performance.now();
    const settle = (result: IsolatedResult) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      resolve(result);
    };
    /** A report for a worker that could not finish: what the board says it was doing. */
    const stopped = (why: (s: Snapshot) => string): DriverReport => {
      const snapshot = board.read();
      return {
        driver: job.driver,
        checks,
        inputs: snapshot.done,
        outcomes: {},
        durationMs: Math.round(performance.now() - started),
        peakRssBytes: process.memoryUsage.rss(),
        failure: { index: snapshot.index, message: why(snapshot), input: snapshot.input, steps: snapshot.steps },
      };
    };

    const watchdog = setInterval(() => {
      const now = board.read();
      if (process.memoryUsage.rss() > limits.rssBytes) {
        settle(stopped((s) => `while input ${s.index} ran, the process's memory passed ${limits.rssBytes / 2 ** 20} MiB: the code under test grows without bound`));
        return;
      }
      if (now.index !== seen.index || now.done !== seen.done) {
        seen = now;
        seenAt = performance.now();
        return;
      }
      const stuckMs = performance.now() - seenAt;
      if (now.index < 0 && stuckMs > limits.setupMs) settle({ driver: job.driver, broken: `loading the code under test and setting up did not finish within ${limits.setupMs / 1000} s` });
      else if (now.index >= 0 && stuckMs > limits.inputMs) {
        settle(stopped((s) => `input ${s.index} did not finish within ${limits.inputMs / 1000} s: an endless loop, or work that grows without bound, in the code under test (the counts of the inputs before it were lost with the worker)`));
      }
    }, WATCH_EVERY_MS);

    worker.on('message', (message: { checks: string } | { report: DriverReport } | { name: string; skipped: string } | { name: string; broken: string }) => {
      if ('checks' in message) checks = message.checks;
      else if ('report' in message) settle(message.report);
      else settle('skipped' in message ? { driver: message.name, skipped: message.skipped } : { driver: message.name, broken: message.broken });
    });
    worker.once('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') settle(stopped((s) => `input ${s.index} made the code under test use more than the ${limits.heapMb} MiB of heap it was given`));
      else settle({ driver: job.driver, broken: `the fuzz worker failed: ${err.stack ?? err.message}` });
    });
    worker.once('exit', (code) => settle({ driver: job.driver, broken: `the fuzz worker exited with code ${code} before reporting` }));
  });
}
