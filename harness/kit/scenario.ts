// The glue between a lab's scenario list (in the manifest) and vitest. A lab's test file
// calls defineLab() with one function per scenario; this file starts the learner's program,
// hands each scenario a recording client factory, and on failure turns whatever was thrown
// into a FailureReport (transcript, program health, output) that the reporter passes on.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, test } from 'vitest';
import { entryIn, type Lab } from '../manifest.ts';
import type { FailureReport } from '../runner/results.ts';
import { TestClient } from './client.ts';
import { ScenarioFailure, within } from './failure.ts';
import { LearnerProgram, StartError } from './program.ts';
import { Transcript, type ConnectionRecord } from './transcript.ts';

declare module 'vitest' {
  interface TaskMeta {
    failure?: FailureReport;
    /** A passing scenario's transcript, kept only when the run asks for it (`--replay`). */
    transcript?: ConnectionRecord[];
  }
}

export interface ScenarioContext {
  /** The program under test (a new one after `restart()`). */
  readonly program: LearnerProgram;
  transcript: Transcript;
  /** A fresh, empty folder for this scenario's program (lab 4 on: accounts, keys, logs). */
  dataDir: string;
  /** Opens a recorded connection to the program; `view: 'frames'` shows its bytes as frames in a failure. */
  connect(label?: string, options?: { view?: 'bytes' | 'frames' }): Promise<TestClient>;
  /** Kills the program as a crash or power cut would (SIGKILL: no chance to clean up). */
  crash(): Promise<void>;
  /**
   * Starts the program again on the same data folder (killing it first if it runs).
   * `extraArgs` are added after the lab's own arguments, for this start only.
   */
  restart(extraArgs?: string[]): Promise<LearnerProgram>;
}

export type ScenarioFn = (ctx: ScenarioContext) => Promise<void>;

/** Extra room vitest gives a scenario beyond its own cap, so our cap always fires first. */
const BACKSTOP_MS = 5000;
const DEFAULT_SCENARIO_MS = 10_000;

export function targetDir(): string {
  const target = process.env.SOCKETLAB_TARGET;
  if (!target) throw new Error('SOCKETLAB_TARGET is not set: lab tests run through `npm run lab`.');
  return target;
}

/**
 * Starts the learner's program for the scenarios. Each scenario gets a fresh program, so one
 * broken scenario cannot spoil another and scenarios can run side by side, unless the lab says
 * its programs keep no state between connections (labs 1 and 2): then the scenarios that do not
 * need one of their own share one running program, started once, because a start (of the
 * compiled program, see compiled-program.ts) costs 0.1 s on a quiet machine and much more on a
 * loaded one, a large part of a run. A program that cannot start at all fails the same way every time: after the first such
 * failure, later scenarios fail at once with its reason.
 */
class Starter {
  private startFailure: StartError | undefined;
  private shared: Promise<LearnerProgram> | undefined;
  constructor(
    private readonly entry: string,
    private readonly args: (dataDir: string) => string[],
  ) {}

  /**
   * `first` marks a scenario's opening start (fresh folder, lab arguments): only its failure
   * is remembered. A restart may fail on purpose (lab 4: a corrupt store must stop the program).
   */
  async start(dataDir: string, extraArgs: string[], first: boolean): Promise<LearnerProgram> {
    if (first && this.startFailure) throw new StartError(`Not run: ${this.startFailure.message}`, this.startFailure.output);
    try {
      return await LearnerProgram.start({ entry: this.entry, args: [...this.args(dataDir), ...extraArgs] });
    } catch (err) {
      if (first && err instanceof StartError) this.startFailure ??= err;
      throw err;
    }
  }

  /** The program the sharing scenarios use: started by the first that asks, again if it has died. */
  async sharedProgram(dataDir: string): Promise<LearnerProgram> {
    // Decided before any await: scenarios that ask at the same moment must share one start.
    const attempt = (this.shared ??= this.start(dataDir, [], true));
    const program = await attempt.catch(() => undefined);
    // Running, or its start failed: every scenario that shares it gets the same answer.
    if (!program || program.alive) return attempt;
    // It has died (maybe in another scenario): one new start, for whoever asks next.
    if (this.shared === attempt) this.shared = this.start(dataDir, [], false);
    return this.shared;
  }

  async stopShared(): Promise<void> {
    await (await this.shared?.catch(() => undefined))?.kill();
  }
}

/** One scenario's world: its program, its data folder, its connections. */
class Session implements ScenarioContext {
  readonly transcript = new Transcript();
  // Inside the run's own folder when there is one: the runner removes that folder even when it
  // had to kill the run (cap, Ctrl+C), so no data folder outlives it.
  readonly dataDir = mkdtempSync(path.join(process.env.SOCKETLAB_RUN_DIR ?? os.tmpdir(), 'socketlab-data-'));
  private readonly clients: TestClient[] = [];
  private current: LearnerProgram | undefined;
  private starts = 0;
  /** Whether `current` is the program several scenarios share (it outlives this one). */
  sharing = false;

  constructor(
    private readonly starter: Starter,
    /** Whether this scenario may use the shared program for its first start. */
    private readonly mayShare: boolean,
  ) {}

  get program(): LearnerProgram {
    if (!this.current) throw new Error('the program is not running');
    return this.current;
  }

  /** The program, if one was started (for the failure report). */
  get started(): LearnerProgram | undefined {
    return this.current;
  }

  // Arrow functions: scenarios destructure the context (`async ({ connect }) => …`).
  readonly restart = async (extraArgs: string[] = []): Promise<LearnerProgram> => {
    await this.stopOwn();
    this.current = undefined;
    const first = this.starts++ === 0;
    this.sharing = first && this.mayShare && extraArgs.length === 0;
    this.current = this.sharing ? await this.starter.sharedProgram(this.dataDir) : await this.starter.start(this.dataDir, extraArgs, first);
    return this.current;
  };

  readonly crash = async (): Promise<void> => {
    await this.stopOwn();
  };

  /** Kills this scenario's own program; a shared one is left to the others (the lab stops it at the end). */
  private async stopOwn(): Promise<void> {
    if (!this.sharing) await this.current?.kill();
    this.sharing = false;
  }

  readonly connect = async (label?: string, options?: { view?: 'bytes' | 'frames' }): Promise<TestClient> => {
    const { host, port } = this.program;
    const client = await TestClient.connect({ host, port, transcript: this.transcript, ...(label ? { label } : {}), ...options });
    this.clients.push(client);
    return client;
  };

  async close(): Promise<void> {
    for (const client of this.clients) client.destroy();
    await this.stopOwn();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function defineLab(lab: Lab, scenarios: Record<string, ScenarioFn>): void {
  const unknown = Object.keys(scenarios).filter((id) => !lab.scenarios.some((s) => s.id === id));
  if (unknown.length) throw new Error(`Scenarios not in the manifest for lab ${lab.number}: ${unknown.join(', ')}`);

  const starter = new Starter(entryIn(targetDir(), lab), (dataDir) => lab.programArgs?.(dataDir) ?? []);
  afterAll(() => starter.stopShared());

  // Scenarios run four at a time in the order they are declared here (results keep the
  // manifest's order): the long waits go first.
  const waitsFirst = [...lab.scenarios.filter((spec) => spec.waitsOnTimer), ...lab.scenarios.filter((spec) => !spec.waitsOnTimer)];
  for (const spec of waitsFirst) {
    const run = scenarios[spec.id];
    if (!run) throw new Error(`Lab ${lab.number} has no implementation for scenario "${spec.id}".`);
    const cap = spec.timeoutMs ?? DEFAULT_SCENARIO_MS;
    test(spec.id, { timeout: cap + BACKSTOP_MS }, async ({ task }) => {
      const session = new Session(starter, lab.sharesProgram === true && !spec.ownProgram);
      try {
        await session.restart();
        await within(cap, `the whole scenario "${spec.title}" to finish`, run(session));
        const exit = session.started?.health().exit;
        if (exit) {
          // A shared program may have been stopped by another scenario running at the same time.
          const shared = session.sharing ? ' (It was serving other scenarios at the same time: its output below shows where it stopped.)' : '';
          throw new ScenarioFailure(`Your program ${exit} during this scenario.${shared}`, { kind: 'crashed' });
        }
        if (process.env.SOCKETLAB_KEEP_TRANSCRIPTS) task.meta.transcript = structuredClone(session.transcript.connections);
      } catch (err) {
        task.meta.failure = await report(err, session.transcript, session.started);
        throw err;
      } finally {
        await session.close();
      }
    });
  }
}

async function report(err: unknown, transcript: Transcript, program: LearnerProgram | undefined): Promise<FailureReport> {
  const message = err instanceof Error ? err.message : String(err);
  // A copy: what happens after the failure (the cleanup closing sockets) is not part of the story.
  const failure: FailureReport = { message, connections: structuredClone(transcript.connections) };
  if (err instanceof ScenarioFailure) failure.details = err.details;
  else if (!(err instanceof StartError)) {
    // Not a verdict about the program: a bug in the scenario or the kit. Say so plainly.
    failure.message = `The harness itself failed (not your program's fault): ${message}`;
    failure.details = { kind: 'harness' };
  }
  if (err instanceof StartError) {
    failure.details = { kind: 'start' };
    failure.output = err.output;
  }
  if (program) {
    failure.program = await program.diagnose();
    failure.output = program.outputTail();
  }
  return failure;
}
