// Helpers for the learner-loop tests: the CLI runner (cli-process.ts), waiting for output,
// and canned lab results for in-process tests.

import path from 'node:path';
import { expect } from 'vitest';
import { within } from '../kit/failure.ts';
import { repoRoot, type Lab } from '../manifest.ts';
import type { LabResult } from '../runner/results.ts';
import type { CliRun } from './cli-process.ts';
import { processesMentioning } from './leftovers.ts';

export { cli, tempStateDir, type CliRun, type CliOptions } from './cli-process.ts';

/** Resolves once `read()` satisfies `test`; checked whenever the stream says more arrived. */
export function waitForOutput(stream: NodeJS.ReadableStream, read: () => string, test: (text: string) => boolean, awaited: string, ms = 30_000): Promise<void> {
  return within(
    ms,
    awaited,
    new Promise<void>((resolve) => {
      const check = () => {
        if (!test(read())) return;
        stream.off('data', check);
        resolve();
      };
      stream.on('data', check);
      check();
    }),
  );
}

/** A lab result where the scenarios named in `failing` failed and every other one passed. */
export function cannedResult(lab: Lab, failing: string[] = []): LabResult {
  return {
    lab: lab.number,
    slug: lab.slug,
    title: lab.title,
    target: path.join(repoRoot, 'labs'),
    durationMs: 5,
    scenarios: lab.scenarios.map((s) =>
      failing.includes(s.id)
        ? { id: s.id, title: s.title, status: 'fail', durationMs: 1, failure: { message: `${s.id} went wrong.`, connections: [] } }
        : { id: s.id, title: s.title, status: 'pass', durationMs: 1 },
    ),
  };
}

/** Things that happen asynchronously (changes seen, runs started), awaited in order with a bound. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: ((item: T) => void)[] = [];
  readonly all: T[] = [];

  push = (item: T): void => {
    this.all.push(item);
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  };

  next(awaited: string, ms = 10_000): Promise<T> {
    if (this.items.length) return Promise.resolve(this.items.shift()!);
    return within(ms, awaited, new Promise<T>((resolve) => this.waiters.push(resolve)));
  }
}

/**
 * Resolves once no process mentions `text`, failing after `ms` with the ones still there.
 * A process killed with SIGKILL leaves the process table a moment later, not at once, and on
 * a loaded machine `ps` can still list it just after the CLI that killed it has exited.
 */
export async function noProcessLeft(text: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  let left = processesMentioning(text);
  while (left.length && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = processesMentioning(text);
  }
  if (left.length) throw new Error(`processes left behind ${ms} ms after the run ended:\n${left.join('\n')}`);
}

/** A mistake in the command: one line on stderr saying what, exit status 2, never a stack. */
export function expectUsageError(run: CliRun, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
}
