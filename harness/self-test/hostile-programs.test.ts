// Hostile learner programs that need more than the fixture check in fixtures.test.ts (which
// already proves, for each one in the catalog, a verdict that names the cause, in bounded time,
// with nothing left running): a program that takes a fixed port, run while that port is taken,
// and the sweep that finds what a program left outside its process group.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { within } from '../kit/failure.ts';
import { isAlive, killTree, runProcesses } from '../kit/process-tree.ts';
import { findLab, repoRoot } from '../manifest.ts';
import { formatLabResult } from '../report/format.ts';
import { plainStyle } from '../report/style.ts';
import { runChecked } from './lab-runs.ts';

const echo = findLab('echo')!;
const HANG_BOUND_MS = 20_000;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Holds `port` on 127.0.0.1 for the test, as another program would; a port something else already holds is just as taken. */
async function holdPort(port: number): Promise<void> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => {
    server.once('error', () => resolve()); // EADDRINUSE: someone else holds it already
    server.listen(port, '127.0.0.1', () => resolve());
  });
  cleanups.push(() => new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(undefined))));
}

test('a program that ignores its port argument, run while its fixed port is taken, fails at start-up naming EADDRINUSE', async () => {
  const target = path.join(repoRoot, 'harness', 'fixtures', echo.folder, 'ignores-port-argument');
  const source = readFileSync(path.join(target, echo.folder, echo.entry), 'utf8');
  const fixedPort = Number(/FIXED_PORT = (\d+)/.exec(source)?.[1]);
  expect(fixedPort, 'the fixture names its fixed port').toBeGreaterThan(0);
  await holdPort(fixedPort);

  const started = performance.now();
  const result = await runChecked(echo, target, ['echo-text', 'every-byte-value']);
  expect(performance.now() - started, 'the run, in ms').toBeLessThan(HANG_BOUND_MS);
  for (const scenario of result.scenarios) {
    expect(scenario.status, scenario.id).toBe('fail');
    expect(scenario.failure?.message, scenario.id).toMatch(/exited with code 1 before it printed "listening on/);
  }
  expect(formatLabResult(result, plainStyle, { verbose: true })).toMatch(/EADDRINUSE/);
});

test.runIf(process.platform !== 'win32')('the sweep finds a tagged process that left its group and lost its parent, and nothing else', async () => {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-sweep-'));
  cleanups.push(() => rmSync(runDir, { recursive: true, force: true }));
  // A middle process starts a daemon in a session of its own, prints its pid and exits: the
  // daemon is re-parented to init, out of reach of any group signal or parent-pid walk.
  const middle = spawn(
    process.execPath,
    ['-e', "const d = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' }); console.log(d.pid); d.unref();"],
    { env: { ...process.env, SOCKETLAB_RUN_DIR: runDir }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let printed = '';
  middle.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  await within(5000, 'the middle process to print its daemon pid and exit', new Promise((resolve) => middle.once('close', resolve)));
  const daemon = Number(printed.trim());
  expect(daemon, `the daemon pid, from ${JSON.stringify(printed)}`).toBeGreaterThan(0);
  cleanups.push(() => killTree(daemon));

  expect(runProcesses(runDir)).toEqual([daemon]);
  expect(runProcesses(`${runDir}-another-run`)).toEqual([]);
  killTree(daemon);
  await within(2000, 'the daemon to be gone once killed', (async () => {
    while (isAlive(daemon) && runProcesses(runDir).length) await new Promise((resolve) => setTimeout(resolve, 20));
  })());
  expect(runProcesses(runDir)).toEqual([]);
});
