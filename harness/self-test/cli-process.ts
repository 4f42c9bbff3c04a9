// Runs one of the kit's CLIs as a child process, as a user would through npm: plain output
// (NO_COLOR), its own state folder (progress, backups) so no test touches another's or a real
// learner's, and a bound on the whole run.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { within } from '../kit/failure.ts';
import { kitCommand } from '../cli/kit-command.ts';
import { repoRoot } from '../manifest.ts';

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
  const child = spawn(process.execPath, kitCommand(name, args), {
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
