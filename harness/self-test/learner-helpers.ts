// Helpers for the learner-loop tests: run one of the kit's CLIs as a child process, as a
// learner would through npm, with its own state folder (progress, backups) so no test
// touches another's or a real learner's; and canned lab results for in-process tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { within } from '../kit/failure.ts';
import { repoRoot, type Lab } from '../manifest.ts';
import type { LabResult } from '../runner/results.ts';
import { processesMentioning } from './leftovers.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  stateDir?: string;
  env?: Record<string, string>;
  /** Called once the child runs: to type into it, or watch its output as it comes. */
  onStart?: (child: ChildProcess, output: { stdout: () => string }) => void;
  withinMs?: number;
}

export const tempStateDir = () => mkdtempSync(path.join(os.tmpdir(), 'socketlab-state-'));

/** A state folder made for one run is removed after it; a given one is the caller's to remove. */
export function cli(name: string, args: string[], options: CliOptions = {}): Promise<CliRun> {
  const stateDir = options.stateDir ?? tempStateDir();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('harness', 'cli', `${name}.ts`), ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', SOCKETLAB_STATE_DIR: stateDir, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  options.onStart?.(child, { stdout: () => stdout });
  if (!options.onStart) child.stdin.end();
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return within(options.withinMs ?? 60_000, `npm run ${name} ${args.join(' ')} to finish`, done)
    .catch((err: unknown) => {
      child.kill('SIGKILL');
      throw err;
    })
    .finally(() => {
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    });
}

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
