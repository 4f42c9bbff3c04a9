// Runs a command as a user would (the kit's CLIs), timing it from spawn to exit: the wall
// time a person waits. Bounded: past `capMs` the command and its children are killed and the
// run counts as not finished.

import { spawn } from 'node:child_process';
import { isWindows } from '../kit/process-tree.ts';
import { kitCommand } from '../cli/kit-command.ts';
import { repoRoot } from '../manifest.ts';
import { stopChild, track } from './children.ts';

export interface TimedRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the cap stopped it. */
  killed: boolean;
}

export interface TimedOptions {
  capMs: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** One of the kit's commands (`lab`, `check`…) from the repository root, as `npm run` starts it. */
export function timeKitCommand(name: string, args: string[], options: TimedOptions): Promise<TimedRun> {
  return timeCommand(process.execPath, kitCommand(name, args), options);
}

export function timeCommand(file: string, args: string[], { capMs, env, signal }: TimedOptions): Promise<TimedRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    // Its own process group, so the cap (or Ctrl+C) kills what it started too.
    const child = track(spawn(file, args, { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: !isWindows, windowsHide: true }));
    let stdout = '';
    let stderr = '';
    // Bounded: a program that floods its output must not fill the benchmark's memory.
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString('utf8')).slice(-4_000_000)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-64_000)));
    let killed = false;
    const stop = () => {
      killed = true;
      void stopChild(child);
    };
    const timer = setTimeout(stop, capMs);
    signal?.addEventListener('abort', stop, { once: true });
    child.once('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      resolve({ ms: performance.now() - started, code, stdout, stderr, killed });
    });
  });
}
