// One loaded server: a fresh server of the kind asked for, N clients connected (and for the
// room: handshake, login; for lab 3: join) by a fleet of generator processes, every joined
// notice delivered. Then timed runs of chat against it, each measured from both sides: the
// clients count deliveries and time them, the server's probe reports its CPU time and memory
// over exactly the same window. Everything is stopped and removed at the end, whatever happens.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_PASSWORD, clientName, makeAccounts, seedStore } from '../accounts.ts';
import { loadAverage } from '../machine.ts';
import { ServerProcess } from '../server-process.ts';
import { servers, type ServerKind } from '../servers-under-test.ts';
import { percentiles } from '../stats.ts';
import type { UsageReport } from '../usage-probe.ts';
import { Fleet } from './fleet.ts';
import { nowMicros, type RunPlan } from './messages.ts';

export interface SessionOptions {
  kind: ServerKind;
  clients: number;
  generators: number;
  profileDir?: string;
  extraArgs?: string[];
  roomTree?: string;
}

export interface SessionSetup {
  /** Connecting, handshakes, logins or joins, and every joined notice, in ms. */
  setupMs: number;
  /** The server's memory once everyone is in and garbage is collected, and before anyone connected. */
  rssIdleBytes: number;
  rssBaseBytes: number;
  heapIdleBytes: number;
  heapBaseBytes: number;
}

export interface PhaseFigures {
  mode: RunPlan['mode'];
  offeredPerSecond?: number;
  /** Messages sent over the whole run, warm-up and measured window. */
  sentInRun: number;
  messagesPerSecond: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  latencySamples: number;
  serverCpuPercent: number;
  cpuMicrosPerDelivery: number;
  generatorsCpuPercent: number;
  rssBytes: number;
  peakRssBytes: number;
  skipped: number;
  /** Everything sent so far reached every other client exactly once (counted at every recipient). */
  deliveredExactly: boolean;
  violations: number;
  closedByServer: number;
  load: [number, number, number];
}

export interface PhaseOptions {
  mode: RunPlan['mode'];
  warmupMs: number;
  measureMs: number;
  /** Rate mode: messages per second for the whole fleet. */
  rate?: number;
  /** Window mode: deliveries the fleet keeps in flight at most (bounds every queue in the server). */
  inFlightDeliveries?: number;
  verify?: boolean;
  textLength?: number;
}

let accountCache: Awaited<ReturnType<typeof makeAccounts>>['accounts'] = {};
let accountMs = 0;
let accountCount = 0;

/** Accounts u00000…; hashed once per benchmark process and reused. Returns the time spent hashing so far. */
export async function accountsFor(count: number): Promise<{ accounts: typeof accountCache; hashMs: number; hashed: number }> {
  const missing = Array.from({ length: count }, (_, i) => clientName(i)).filter((name) => !accountCache[name]);
  if (missing.length) {
    const made = await makeAccounts(missing);
    accountCache = { ...accountCache, ...made.accounts };
    accountMs += made.ms;
    accountCount += missing.length;
  }
  const accounts = Object.fromEntries(Array.from({ length: count }, (_, i) => clientName(i)).map((name) => [name, accountCache[name]!]));
  return { accounts, hashMs: accountMs, hashed: accountCount };
}

export class LoadSession {
  private sentSoFar = 0;

  private constructor(
    readonly options: SessionOptions,
    readonly server: ServerProcess,
    readonly fleet: Fleet,
    readonly setup: SessionSetup,
    private readonly dataDir: string,
  ) {}

  /** Starts the server and brings every client into the room. */
  static async open(options: SessionOptions): Promise<LoadSession> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-bench-'));
    let server: ServerProcess | undefined;
    let fleet: Fleet | undefined;
    try {
      if (options.kind === 'room') seedStore(dataDir, (await accountsFor(options.clients)).accounts);
      const { profileDir, extraArgs, roomTree } = options;
      server = await ServerProcess.start(options.kind, { dataDir, ...(profileDir ? { profileDir } : {}), ...(extraArgs ? { extraArgs } : {}), ...(roomTree ? { roomTree } : {}) });
      const base = await server.usage(true);
      const started = performance.now();
      const clients = Array.from({ length: options.clients }, (_, index) => ({ index, name: clientName(index), enter: true }));
      fleet = await Fleet.start({ protocol: servers[options.kind].wire, host: server.host, port: server.port, clients, generators: options.generators, password: BENCH_PASSWORD });
      const bound = 30_000 + options.clients * 50;
      for (const stage of ['tcp', 'handshake', 'enter'] as const) {
        const result = await fleet.stage(stage, bound);
        if (result.failed) throw new Error(`${result.failed} of ${options.clients} clients failed their ${stage} stage: ${result.firstError}`);
      }
      await fleet.settle(bound);
      const setupMs = performance.now() - started;
      const idle = await server.usage(true);
      const setup = { setupMs, rssIdleBytes: idle.rssBytes, rssBaseBytes: base.rssBytes, heapIdleBytes: idle.heapUsedBytes, heapBaseBytes: base.heapUsedBytes };
      return new LoadSession(options, server, fleet, setup, dataDir);
    } catch (err) {
      await fleet?.close();
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** One timed run of chat, then a bounded wait until all of it is delivered. */
  async phase(options: PhaseOptions): Promise<PhaseFigures> {
    const n = this.options.clients;
    const gens = Math.min(this.options.generators, n);
    const perGen = (total: number) => Math.max(1, Math.round(total / gens));
    const window =
      options.mode === 'window'
        ? Math.min(512, Math.max(2, Math.round((options.inFlightDeliveries ?? 8000) / (gens * (n - 1)))))
        : Math.max(8, Math.round((options.rate ?? 100) / gens / 10)); // rate mode: 100 ms worth in flight at most
    const startInMs = 100;
    // About 2 receivers open each message: enough samples, and the generators' CPU goes to load.
    const sampleEvery = options.verify || options.mode === 'rate' ? 1 : Math.max(1, Math.floor((n - 1) / 2));
    const windowStartMicros = nowMicros() + (startInMs + options.warmupMs) * 1000;
    const usageAt = (micros: number) =>
      new Promise<UsageReport>((resolve, reject) => setTimeout(() => this.server.usage().then(resolve, reject), Math.max(0, (micros - nowMicros()) / 1000)));
    const before = usageAt(windowStartMicros);
    const after = usageAt(windowStartMicros + options.measureMs * 1000);
    const run = await this.fleet.run({
      mode: options.mode,
      window,
      ...(options.rate ? { rate: options.rate / gens } : {}),
      startInMs,
      warmupMs: options.warmupMs,
      measureMs: options.measureMs,
      // Bound in count: far more than the server could take in the time, never unbounded.
      maxMessages: perGen(options.mode === 'rate' ? (options.rate ?? 100) * ((options.warmupMs + options.measureMs) / 1000) * 1.2 + 10 : 5_000_000),
      sampleEvery,
      verify: options.verify ?? false,
      textLength: options.textLength ?? 40,
    });
    // The fleet counts what it sent since its setup; this run's share is the growth.
    const sentInRun = run.totalSent - this.sentSoFar;
    this.sentSoFar = run.totalSent;
    const [u1, u2] = await Promise.all([before, after]);
    const load = loadAverage();
    const drained = await this.fleet.drain(30_000);
    const status = await this.fleet.status();
    const seconds = options.measureMs / 1000;
    const [p50 = NaN, p99 = NaN] = percentiles(run.latencyMicros, [50, 99]).map((micros) => micros / 1000);
    // The CPU share over the interval the two readings really span (a saturated server answers
    // late), applied to the measured window.
    const cpuShare = (u2.cpuMicros - u1.cpuMicros) / Math.max(1, u2.atMicros - u1.atMicros);
    const serverCpu = cpuShare * options.measureMs * 1000;
    return {
      mode: options.mode,
      ...(options.rate ? { offeredPerSecond: options.rate } : {}),
      sentInRun,
      messagesPerSecond: run.sentInWindow / seconds,
      deliveriesPerSecond: run.deliveriesInWindow / seconds,
      p50Ms: p50,
      p99Ms: p99,
      latencySamples: run.latencyMicros.length,
      serverCpuPercent: (serverCpu / (options.measureMs * 1000)) * 100,
      cpuMicrosPerDelivery: serverCpu / Math.max(1, run.deliveriesInWindow),
      generatorsCpuPercent: (run.generatorCpuMicros / (options.measureMs * 1000)) * 100,
      rssBytes: u2.rssBytes,
      peakRssBytes: u2.peakRssBytes,
      skipped: run.skipped,
      deliveredExactly: drained.complete && drained.excess === 0,
      violations: run.violations,
      closedByServer: status.closedByServer,
      load,
    };
  }

  async close(): Promise<void> {
    try {
      await this.fleet.close();
    } finally {
      await this.server.stop();
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
