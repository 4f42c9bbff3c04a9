// Runs inside a worker thread (see isolated-run.ts): loads one driver's code under test, runs the
// driver, and posts its report. Everything the code under test does happens here, where the main
// thread can stop it: an endless loop or runaway memory ends this thread, not the fuzz run.

import { parentPort, workerData } from 'node:worker_threads';
import { runDriver } from './engine.ts';
import { ProgressBoard } from './progress-board.ts';
import { prepare } from './targets.ts';

export interface WorkerJob {
  tree: string;
  seed: number;
  driver: string;
  inputs: number;
  maxMs: number;
  only?: number;
  board: SharedArrayBuffer;
}

const job = workerData as WorkerJob;
const [prepared] = await prepare(job.tree, job.seed, job.driver);
if (!prepared) throw new Error(`no fuzz driver is called "${job.driver}"`);
if ('driver' in prepared) {
  parentPort!.postMessage({ checks: prepared.driver.checks });
  const report = runDriver(prepared.driver, { seed: job.seed, inputs: job.inputs, maxMs: job.maxMs, board: new ProgressBoard(job.board), ...(job.only === undefined ? {} : { only: job.only }) });
  parentPort!.postMessage({ report });
} else {
  parentPort!.postMessage(prepared);
}
