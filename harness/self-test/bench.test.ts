// The benchmarks' code paths, run tiny: the load generators, each server under test, the
// secure channel of the room's load clients, the connection stages and the CLI. Behaviour only
// (every message sent reaches every other client exactly once, in order; no process is left);
// never a speed: figures belong to `npm run bench`, not to tests.

import { afterAll, describe, expect, test } from 'vitest';
import { connections } from '../bench/benchmarks/connections.ts';
import type { BenchSettings } from '../bench/benchmark.ts';
import { childrenRunning } from '../bench/children.ts';
import { LoadSession } from '../bench/load/session.ts';
import type { ServerKind } from '../bench/servers-under-test.ts';
import { timeCommand } from '../bench/timed-command.ts';
import { plainStyle } from '../report/style.ts';
import { stopCompiler } from '../kit/compiled-program.ts';
import { processesWithEnv } from '../kit/process-tree.ts';
import { describeProcesses } from './leftovers.ts';

// Benchmarks may be running on this machine meanwhile (a person's `npm run bench`): the
// processes this file started are the ones carrying its tag, which every child inherits.
const TAG = 'SOCKETLAB_BENCH_TEST_TAG';
const tag = `${process.pid}-${Date.now()}`;
process.env[TAG] = tag;

afterAll(async () => {
  await stopCompiler(); // the servers were compiled in this process: esbuild's own process is not a leftover
  expect(childrenRunning(), 'benchmark processes still registered').toBe(0);
  expect(describeProcesses(processesWithEnv(TAG, tag)), 'load generators or servers under test left behind').toEqual([]);
});

describe.each<ServerKind>(['ceiling', 'ceilingBatched', 'lab3', 'room'])('fan-out against %s', (kind) => {
  test('every chat line sent reaches every other client exactly once, in order, at saturation and at a set rate', async () => {
    const session = await LoadSession.open({ kind, clients: 6, generators: 2 });
    try {
      // Few deliveries in flight (20): the first answers come back at once even on a loaded
      // machine, so the short window always sees traffic. (With the benchmark's 8,000, the window
      // could pass while the server still worked through the first burst: nothing measured.)
      for (const phase of [
        { mode: 'window', inFlightDeliveries: 20, warmupMs: 50, measureMs: 300, verify: true },
        { mode: 'rate', rate: 100, warmupMs: 50, measureMs: 300, verify: true },
      ] as const) {
        const figures = await session.phase(phase);
        expect(figures.sentInRun, `${phase.mode}: something was sent`).toBeGreaterThan(0);
        expect(figures.deliveredExactly, `${phase.mode}: every message delivered to all 5 others, none twice`).toBe(true);
        expect(figures.violations, `${phase.mode}: messages out of order, repeated or not chat`).toBe(0);
        expect(figures.closedByServer, `${phase.mode}: connections the server closed`).toBe(0);
        expect(figures.latencySamples, `${phase.mode}: latencies were read`).toBeGreaterThan(0);
      }
    } finally {
      await session.close();
    }
  });
});

test('the connections benchmark takes its clients through every stage and the server closes none', async () => {
  const progress: string[] = [];
  const settings: BenchSettings = {
    quick: true,
    generators: 2,
    connections: 20,
    logins: 5,
    profile: false,
    outDir: '',
    style: plainStyle,
    signal: new AbortController().signal,
    progress: (line) => progress.push(line),
  };
  const { figures } = await connections.run(settings);
  const { steps, closed } = figures as { steps: { name: string; stage?: { ok: number; failed: number } }[]; closed: { closedByServer: number; open: number } };
  expect(steps.map((s) => s.name)).toEqual(['started, no connection', '30 TCP connections accepted', '30 handshakes', '5 logins', '10 registrations']);
  for (const step of steps.slice(1)) expect(step.stage?.failed, step.name).toBe(0);
  expect(closed).toMatchObject({ closedByServer: 0, open: 30 });
});

test('npm run bench -- --help lists every benchmark; an unknown one is a usage error', async () => {
  const help = await timeCommand(process.execPath, ['--import', 'tsx', 'harness/bench/cli.ts', '--help'], { capMs: 30_000 });
  expect(help.code).toBe(0);
  for (const name of ['feedback', 'grading', 'fanout', 'connections', 'scaling']) expect(help.stdout).toContain(name);
  const wrong = await timeCommand(process.execPath, ['--import', 'tsx', 'harness/bench/cli.ts', 'fastest'], { capMs: 30_000 });
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/unknown benchmark "fastest"/);
});
