// The parent's side of the load: forks the generator processes, gives each its share of the
// clients, and drives them together, stage by stage, so that every figure is the fleet's
// (a stage's rate is all clients over the time from the first start to the last finish;
// a run's deliveries are counted at every recipient of every generator).

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from '../../kit/failure.ts';
import { stopChild, track } from '../children.ts';
import type { WireProtocol } from '../servers-under-test.ts';
import type { ClientSpec, Command, DrainResult, Reply, RunPlan, RunResult, Stage, StageResult, StatusResult } from './messages.ts';

const generatorFile = fileURLToPath(new URL('./generator.ts', import.meta.url));

type Request = Command extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

class Generator {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      child.on('message', (message: Reply | { type: 'ready' }) => {
        if (message.type === 'ready') resolve();
        else this.waiting.get(message.id)?.(message);
      });
      child.once('exit', (code, signal) => {
        const error = `a load generator exited (${signal ?? `code ${code}`})`;
        reject(new Error(error));
        for (const [id, wake] of this.waiting) wake({ type: 'reply', id, ok: false, error });
      });
    });
  }

  async request<T>(command: Request, withinMs: number, awaited: string): Promise<T> {
    const id = this.nextId++;
    const answer = new Promise<Reply>((resolve) => this.waiting.set(id, resolve));
    this.child.send({ ...command, id } as Command);
    try {
      const reply = await within(withinMs, awaited, answer);
      if (!reply.ok) throw new Error(reply.error);
      return reply.data as T;
    } finally {
      this.waiting.delete(id);
    }
  }
}

export interface FleetOptions {
  protocol: WireProtocol;
  host: string;
  port: number;
  clients: ClientSpec[];
  generators: number;
  password: string;
  /** Steps in progress at once, per generator. */
  concurrency?: number;
  stepTimeoutMs?: number;
}

export interface FleetStage {
  ok: number;
  failed: number;
  firstError?: string;
  /** From the first step started to the last one finished, in any generator. */
  ms: number;
  perSecond: number;
}

export interface FleetRun {
  sentInWindow: number;
  deliveriesInWindow: number;
  latencyMicros: number[];
  skipped: number;
  /** The generators' CPU time within the window, µs, all of them together. */
  generatorCpuMicros: number;
  violations: number;
  totalSent: number;
}

export class Fleet {
  private totalSent = 0;

  private constructor(
    private readonly gens: Generator[],
    private readonly shares: ClientSpec[][],
  ) {}

  /** Forks the generators and hands out the clients, round robin. */
  static async start(options: FleetOptions): Promise<Fleet> {
    const count = Math.max(1, Math.min(options.generators, options.clients.length));
    const shares: ClientSpec[][] = Array.from({ length: count }, () => []);
    options.clients.forEach((client, i) => shares[i % count]!.push(client));
    const gens = shares.map(() => new Generator(track(fork(generatorFile, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))));
    const fleet = new Fleet(gens, shares);
    try {
      await within(15_000, 'the load generators to start', Promise.all(gens.map((g) => g.ready)));
      const entering = options.clients.filter((c) => c.enter || options.protocol === 'ceiling').length;
      await Promise.all(
        gens.map((g, i) =>
          g.request(
            {
              type: 'setup',
              protocol: options.protocol,
              host: options.host,
              port: options.port,
              clients: shares[i]!,
              password: options.password,
              concurrency: options.concurrency ?? 64,
              enteringInFleet: entering,
              stepTimeoutMs: options.stepTimeoutMs ?? 30_000,
            },
            5000,
            'a load generator to accept its setup',
          ),
        ),
      );
    } catch (err) {
      await fleet.close();
      throw err;
    }
    return fleet;
  }

  get size(): number {
    return this.shares.reduce((total, share) => total + share.length, 0);
  }

  /** One stage for every client of every generator; `withinMs` bounds the whole stage. */
  async stage(stage: Stage, withinMs: number): Promise<FleetStage> {
    const results = await Promise.all(this.gens.map((g) => g.request<StageResult>({ type: 'stage', stage }, withinMs, `every client's ${stage} stage to finish`)));
    const ok = results.reduce((t, r) => t + r.ok, 0);
    const failed = results.reduce((t, r) => t + r.failed, 0);
    const ms = (Math.max(...results.map((r) => r.endedAt)) - Math.min(...results.map((r) => r.startedAt))) / 1000;
    const firstError = results.find((r) => r.firstError)?.firstError;
    return { ok, failed, ms, perSecond: ok / (ms / 1000), ...(firstError ? { firstError } : {}) };
  }

  /** Waits until every client in the room has received the joined notice of everyone after it. */
  async settle(withinMs: number): Promise<number> {
    const started = performance.now();
    await Promise.all(this.gens.map((g) => g.request({ type: 'settle', timeoutMs: withinMs }, withinMs + 2000, 'every joined notice to arrive')));
    return performance.now() - started;
  }

  /** One timed burst of chat in every generator at once; `plan.window`, `rate` and `maxMessages` are per generator. */
  async run(plan: Omit<RunPlan, 'startAtMicros'> & { startInMs?: number }): Promise<FleetRun> {
    const startAtMicros = Number(process.hrtime.bigint() / 1000n) + (plan.startInMs ?? 100) * 1000;
    const bound = (plan.startInMs ?? 100) + plan.warmupMs + plan.measureMs + 10_000;
    const results = await Promise.all(this.gens.map((g) => g.request<RunResult>({ type: 'run', plan: { ...plan, startAtMicros } }, bound, 'a timed run of chat to end')));
    this.totalSent = results.reduce((t, r) => t + r.sentByClient.reduce((a, b) => a + b, 0), 0);
    return {
      sentInWindow: results.reduce((t, r) => t + r.sentInWindow, 0),
      deliveriesInWindow: results.reduce((t, r) => t + r.deliveriesInWindow, 0),
      latencyMicros: results.flatMap((r) => r.latencyMicros),
      skipped: results.reduce((t, r) => t + r.skipped, 0),
      generatorCpuMicros: results.reduce((t, r) => t + r.cpuMicros, 0),
      violations: results.reduce((t, r) => t + r.violations, 0),
      totalSent: this.totalSent,
    };
  }

  /** Waits (bounded) until everything sent so far has reached every other client; says whether it did, exactly. */
  async drain(withinMs: number): Promise<DrainResult> {
    const results = await Promise.all(this.gens.map((g) => g.request<DrainResult>({ type: 'drain', totalSent: this.totalSent, timeoutMs: withinMs }, withinMs + 5000, 'the generators to report what was delivered')));
    return {
      complete: results.every((r) => r.complete),
      received: results.reduce((t, r) => t + r.received, 0),
      expected: results.reduce((t, r) => t + r.expected, 0),
      excess: results.reduce((t, r) => t + r.excess, 0),
    };
  }

  async status(): Promise<StatusResult> {
    const results = await Promise.all(this.gens.map((g) => g.request<StatusResult>({ type: 'status' }, 5000, 'the generators to count their connections')));
    const reason = results.find((r) => r.firstCloseReason)?.firstCloseReason;
    return { open: results.reduce((t, r) => t + r.open, 0), closedByServer: results.reduce((t, r) => t + r.closedByServer, 0), ...(reason ? { firstCloseReason: reason } : {}) };
  }

  /** Closes every connection and ends every generator; kills those that do not end. */
  async close(): Promise<void> {
    await Promise.all(
      this.gens.map(async (g) => {
        const exited = new Promise<void>((resolve) => (g.child.exitCode !== null ? resolve() : g.child.once('exit', () => resolve())));
        if (g.child.connected) g.request({ type: 'close' }, 2000, 'a generator to close').catch(() => {});
        try {
          await within(3000, 'a load generator to exit', exited);
        } catch {
          await stopChild(g.child);
        }
      }),
    );
  }
}
