// `npm run lab` as a user meets it: the closing line, exit statuses, one-line usage errors,
// and Ctrl+C in the middle of a run leaving nothing behind.

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { within } from '../kit/failure.ts';
import { repoRoot } from '../manifest.ts';
import { cli, type CliOptions } from './cli-process.ts';
import { processesMentioning } from './leftovers.ts';

const lab = (args: string[], onStart?: CliOptions['onStart']) => cli('lab', args, onStart ? { onStart } : {});

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

test('a passing run ends with "N passed, 0 failed" and exit status 0', async () => {
  const run = await lab(['1', '--target', 'solutions']);
  expect(lastLine(run.stdout)).toMatch(/^\d+ passed, 0 failed$/);
  expect(run.code).toBe(0);
});

test('a failing run ends with "0 passed, N failed" and exit status 1, in plain text when piped', async () => {
  const run = await lab(['echo']);
  expect(lastLine(run.stdout)).toMatch(/^0 passed, \d+ failed$/);
  expect(run.stdout).toContain('FAIL');
  expect(run.stdout).not.toMatch(/\x1b\[/);
  expect(run.code).toBe(1);
});

test.each([
  [['99'], /no lab "99"/],
  [['1', '--target', 'no-such-folder'], /target folder not found/],
  [['1', '--target', 'docs'], /is not a lab tree/],
  [['1', '--frobnicate'], /Unknown option '--frobnicate'/],
])('usage error %j: one line, exit status 2', async (args, message) => {
  const run = await lab(args);
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(message);
});

test.runIf(process.platform !== 'win32')('Ctrl+C during a run stops it and leaves no process behind', async () => {
  // A copy in a folder of its own: labs.test.ts runs the same fixture, maybe at this very
  // moment, and its program must not be taken for this run's.
  const fixture = mkdtempSync(path.join(os.tmpdir(), 'socketlab-ctrl-c-'));
  onTestFinished(() => rmSync(fixture, { recursive: true, force: true }));
  cpSync(path.join(repoRoot, 'harness', 'fixtures', '01-echo', 'blocks-event-loop'), fixture, { recursive: true });
  const program = path.join(fixture, '01-echo', 'server.ts');
  const run = await lab(['1', '--target', fixture], (child) => {
    // Interrupt once a learner program is running, like a person pressing Ctrl+C mid-run.
    void within(20_000, 'a learner program to start', (async () => {
      while (processesMentioning(program).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    })()).then(() => child.kill('SIGINT'));
  });
  expect(run.code).toBe(130);
  expect(run.stderr).toMatch(/Interrupted/);
  expect(processesMentioning(program)).toEqual([]);
});
