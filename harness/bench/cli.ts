// `npm run bench`: the kit's performance benchmarks. Each prints its tables and all of them
// write their figures (with the machine's core count, Node's version, the date and the load
// average beside every figure) to results/bench/bench-<date>.json.
//
//   npm run bench                      every benchmark (about 10 minutes)
//   npm run bench -- --quick           every benchmark, short (under a minute)
//   npm run bench -- fanout --clients 100
//   npm run bench -- --help
//
// Every process a benchmark starts is stopped when it ends, on Ctrl+C too (exit 130).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../manifest.ts';
import { styleFor } from '../report/style.ts';
import { runCli, UsageError } from '../cli/usage-error.ts';
import type { Benchmark, BenchSettings } from './benchmark.ts';
import { connections } from './benchmarks/connections.ts';
import { fanout } from './benchmarks/fanout.ts';
import { feedback } from './benchmarks/feedback.ts';
import { grading } from './benchmarks/grading.ts';
import { scaling } from './benchmarks/scaling.ts';
import { childrenRunning, killAllChildren } from './children.ts';
import { formatLoad, loadAverage, machineFacts } from './machine.ts';
import { ROOM_LAB } from './servers-under-test.ts';
import { renderTable } from './table.ts';

const benchmarks: Benchmark[] = [feedback, grading, fanout, connections, scaling];

const usage = `usage: npm run bench -- [${benchmarks.map((b) => b.name).join(' | ')} …] [options]

  With no benchmark named, runs them all (about 10 minutes; --quick: under a minute).
${benchmarks.map((b) => `  ${b.name.padEnd(12)} ${b.summary}`).join('\n')}

  --quick               short runs: fewer repetitions, fewer clients, shorter windows
  --clients <list>      fanout and scaling: client counts, like "10,100,500"
  --generators <n>      load generator processes (default 2; connections adds more past 2,500 clients each)
  --measure-ms <ms>     fanout and scaling: length of each measured window (default 3000 / 2000)
  --runs <n>            feedback: runs per lab, the median is shown (default 5)
  --class-size <n>      grading: submissions in the class (default 8; 50 is the goal's class)
  --connections <n>     connections: idle clients (default 10000)
  --logins <n>          connections: how many of them log in (default: all; each needs an account)
  --accounts <n>        connections: accounts in the room's store when registrations are timed (default 10000)
  --profile             fanout, connections: profile the room's server (node --cpu-prof; at 100 clients in fanout)
  --room <folder>       fanout, connections, scaling: the room from this tree (laid out like solutions/),
                        to compare a changed copy with the original
  --out <folder>        where the figures go (default results/bench)
  --help                this text

  Speed goals are printed beside the figures; no test fails on them. The machine is shared:
  every figure comes with the load average (1, 5, 15 minutes) it was measured under.`;

const HARD_CAP_MS = 30 * 60_000;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      clients: { type: 'string' },
      generators: { type: 'string' },
      'measure-ms': { type: 'string' },
      runs: { type: 'string' },
      'class-size': { type: 'string' },
      connections: { type: 'string' },
      logins: { type: 'string' },
      accounts: { type: 'string' },
      profile: { type: 'boolean', default: false },
      room: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const chosen = positionals.length ? positionals.map(findBenchmark) : benchmarks;
  const here = process.env.INIT_CWD ?? process.cwd();
  const outDir = values.out ? path.resolve(here, values.out) : path.join(repoRoot, 'results', 'bench');

  // Ctrl+C: stop the benchmark in progress, kill everything it started, keep what is measured.
  const interrupt = new AbortController();
  const stopAll = () => {
    interrupt.abort();
    killAllChildren();
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  // A last bound on the whole run, whatever happens inside it.
  const cap = setTimeout(() => {
    console.error(`The benchmarks ran past ${HARD_CAP_MS / 60_000} minutes: stopping.`);
    stopAll();
  }, HARD_CAP_MS);
  cap.unref();

  const style = styleFor(process.stdout);
  const settings: BenchSettings = {
    quick: values.quick,
    ...(values.clients ? { clients: list(values.clients, '--clients', 2) } : {}),
    generators: whole(values.generators, '--generators', 1) ?? 2,
    ...optional('runs', whole(values.runs, '--runs', 1)),
    ...optional('classSize', whole(values['class-size'], '--class-size', 1)),
    ...optional('connections', whole(values.connections, '--connections', 2)),
    ...optional('logins', whole(values.logins, '--logins', 0)),
    ...optional('accounts', whole(values.accounts, '--accounts', 0)),
    ...optional('measureMs', whole(values['measure-ms'], '--measure-ms', 100)),
    profile: values.profile,
    ...(values.room ? { roomTree: roomTree(path.resolve(here, values.room)) } : {}),
    outDir,
    style,
    signal: interrupt.signal,
    progress: (line) => process.stderr.write(process.stderr.isTTY ? `\x1b[2K${line} …\r` : `${line} …\n`),
  };
  if (settings.clients?.some((n) => n < 2 * settings.generators)) throw new UsageError(`--clients needs at least ${2 * settings.generators} clients per count (two per generator)`);

  const machine = machineFacts();
  console.log(`socketlab benchmarks: ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}, ${machine.platform}, open-files limit ${machine.openFilesLimit ?? 'unknown'}, load ${formatLoad(loadAverage())}\n`);
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `bench-${machine.date.replace(/[:.]/g, '-')}${settings.quick ? '-quick' : ''}.json`);
  const document = { machine, settings: { ...settings, style: undefined, signal: undefined, progress: undefined, outDir: undefined }, results: {} as Record<string, unknown> };
  let failures = 0;
  for (const benchmark of chosen) {
    if (interrupt.signal.aborted) break;
    const started = performance.now();
    try {
      const output = await benchmark.run(settings);
      if (process.stderr.isTTY) process.stderr.write('\x1b[2K');
      for (const table of output.tables) console.log(`${renderTable(table, style)}\n`);
      document.results[benchmark.name] = { seconds: Math.round((performance.now() - started) / 100) / 10, load: loadAverage(), ...(output.figures as object) };
    } catch (err) {
      if (interrupt.signal.aborted) break;
      failures++;
      console.error(`The ${benchmark.name} benchmark failed: ${(err as Error).stack ?? err}`);
      document.results[benchmark.name] = { error: (err as Error).message, load: loadAverage() };
    } finally {
      killAllChildren(); // a benchmark stops its own processes; this is the backstop
    }
    // Written after each benchmark: an interrupted run keeps what it measured.
    writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
  }
  clearTimeout(cap);
  if (Object.keys(document.results).length) console.log(`Figures written to ${path.relative(here, file) || file}`);
  if (interrupt.signal.aborted) {
    console.error(`Interrupted: the benchmark was stopped${childrenRunning() ? '' : ' and every process it started is gone'}.`);
    return 130;
  }
  return failures ? 1 : 0;
}

function roomTree(tree: string): string {
  const entry = path.join(tree, ROOM_LAB, 'server.ts');
  if (!existsSync(entry)) throw new UsageError(`--room: there is no ${path.join(ROOM_LAB, 'server.ts')} in ${tree}`);
  return tree;
}

function findBenchmark(name: string): Benchmark {
  const found = benchmarks.find((b) => b.name === name.toLowerCase());
  if (!found) throw new UsageError(`unknown benchmark "${name}": choose from ${benchmarks.map((b) => b.name).join(', ')}`);
  return found;
}

function whole(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${name} expects a whole number of ${min} or more, got "${value}"`);
  return Number(value);
}

function list(value: string, name: string, min: number): number[] {
  const items = value.split(',').map((item) => whole(item.trim(), name, min)!);
  if (!items.length) throw new UsageError(`${name} expects a list like "10,100"`);
  return items;
}

const optional = <K extends string>(key: K, value: number | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));

await runCli(main);
