// Runs one fuzz driver over many generated inputs and counts what happened to them. A driver
// makes one input from its own seeded generator; checking it feeds it to the code under test,
// checks what must hold, and names the outcome ("accepted", "refused: bad-name"…); a broken rule
// is a FuzzFailure. The run stops at the first failure (with what it takes to replay it), after
// `inputs` inputs, or at `maxMs`, whichever comes first.

import { preview } from '../kit/bytes.ts';
import type { ProgressBoard } from './progress-board.ts';
import { Random } from './random.ts';

/** A rule the code under test broke for one input. */
export class FuzzFailure extends Error {
  override name = 'FuzzFailure';
  constructor(
    message: string,
    readonly input: Uint8Array,
    /** How the input was made (the mutations applied), for a person reading the report. */
    readonly steps: string[] = [],
  ) {
    super(message);
  }
}

export interface Driver {
  name: string;
  /** What is fed to what, and what must hold, in one sentence. */
  checks: string;
  /** Makes one input from `random` (its own generator); checking it is a separate step, so the input can be noted first. */
  make(random: Random): Case;
}

export interface Case {
  /** The input, as the code under test receives it. */
  input: Uint8Array;
  /** How it was made (the mutations applied), for a person reading a failure. */
  steps: string[];
  /** Feeds the input to the code under test and returns the outcome's name, or throws FuzzFailure. */
  check(): string;
}

export interface DriverReport {
  driver: string;
  checks: string;
  /** How many inputs ran (all of them unless the run stopped early). */
  inputs: number;
  outcomes: Record<string, number>;
  durationMs: number;
  /** The process's resident memory at its highest, sampled every 256 inputs. */
  peakRssBytes: number;
  failure?: { index: number; message: string; input: string; steps: string[] };
  /** Why the run stopped before its count (its time ran out). */
  stopped?: string;
}

export interface FuzzOptions {
  seed: number;
  inputs: number;
  maxMs: number;
  /** Run only this input (replay a failure). */
  only?: number;
  /** Where to note each input before checking it, for whoever watches this run from outside. */
  board?: ProgressBoard;
}

const SHOWN_BYTES = 96;

export function runDriver(driver: Driver, { seed, inputs, maxMs, only, board }: FuzzOptions): DriverReport {
  const started = performance.now();
  const report: DriverReport = { driver: driver.name, checks: driver.checks, inputs: 0, outcomes: {}, durationMs: 0, peakRssBytes: process.memoryUsage.rss() };
  const first = only ?? 0;
  const last = only ?? inputs - 1;
  for (let index = first; index <= last; index++) {
    if (performance.now() - started > maxMs) {
      report.stopped = `stopped after ${maxMs} ms, ${report.inputs} of ${inputs} inputs done`;
      break;
    }
    let steps: string[] = [];
    try {
      const made = driver.make(Random.for(seed, driver.name, index));
      steps = made.steps;
      board?.begin(index, made.input, made.steps);
      const outcome = made.check();
      board?.finish();
      report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
    } catch (err) {
      report.failure =
        err instanceof FuzzFailure
          ? { index, message: err.message, input: show(err.input), steps: err.steps }
          : { index, message: `the fuzz driver itself failed (a harness bug, not the code under test): ${(err as Error)?.stack ?? String(err)}`, input: '', steps };
      report.inputs++;
      break;
    }
    report.inputs++;
    if (index % 256 === 0) report.peakRssBytes = Math.max(report.peakRssBytes, process.memoryUsage.rss());
  }
  report.peakRssBytes = Math.max(report.peakRssBytes, process.memoryUsage.rss());
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

function show(input: Uint8Array): string {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return `${preview(bytes, SHOWN_BYTES)} (${bytes.length} bytes)`;
}

/** Calls the code under test: its result, or the error it threw if that is an instance of `expected`; anything else is a failure. */
export function attempt<T, E extends Error>(call: () => T, expected: abstract new (...args: never[]) => E, input: Uint8Array, steps: string[]): { value: T } | { error: E } {
  try {
    return { value: call() };
  } catch (err) {
    if (err instanceof expected) {
      if (typeof err.message !== 'string' || err.message.trim() === '') throw new FuzzFailure(`it threw ${expected.name} without a message`, input, steps);
      return { error: err };
    }
    const what = err instanceof Error ? `${err.name}: ${err.message}` : `a non-Error value (${String(err)})`;
    throw new FuzzFailure(`it threw ${what}, not the documented ${expected.name}`, input, steps);
  }
}

/** An error message with its numbers generalised ("announced N bytes"), so outcomes can be counted by kind. */
export const kindOf = (message: string) => message.replace(/\b\d+\b/g, 'N');
