// The glue between a lab's scenario list (in the manifest) and vitest. A lab's test file
// calls defineLab() with one function per scenario; this file starts the learner's program,
// hands each scenario a recording client factory, and on failure turns whatever was thrown
// into a FailureReport (transcript, program health, output) that the reporter passes on.

import { test } from 'vitest';
import { entryIn, type Lab } from '../manifest.ts';
import type { FailureReport } from '../runner/results.ts';
import { TestClient } from './client.ts';
import { ScenarioFailure, within } from './failure.ts';
import { LearnerProgram, StartError } from './program.ts';
import { Transcript } from './transcript.ts';

declare module 'vitest' {
  interface TaskMeta {
    failure?: FailureReport;
  }
}

export interface ScenarioContext {
  program: LearnerProgram;
  transcript: Transcript;
  /** Opens a recorded connection to the program; `view: 'frames'` shows its bytes as frames in a failure. */
  connect(label?: string, options?: { view?: 'bytes' | 'frames' }): Promise<TestClient>;
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
 * Every scenario gets a fresh program, so one broken scenario cannot spoil another and
 * scenarios can run side by side. A program that cannot start at all fails the same way
 * every time: after the first such failure, later scenarios fail at once with its reason.
 */
class Starter {
  private startFailure: StartError | undefined;
  constructor(private readonly entry: string) {}

  async start(): Promise<LearnerProgram> {
    if (this.startFailure) throw new StartError(`Not run: ${this.startFailure.message}`, this.startFailure.output);
    try {
      return await LearnerProgram.start({ entry: this.entry });
    } catch (err) {
      if (err instanceof StartError) this.startFailure ??= err;
      throw err;
    }
  }
}

export function defineLab(lab: Lab, scenarios: Record<string, ScenarioFn>): void {
  const unknown = Object.keys(scenarios).filter((id) => !lab.scenarios.some((s) => s.id === id));
  if (unknown.length) throw new Error(`Scenarios not in the manifest for lab ${lab.number}: ${unknown.join(', ')}`);

  const starter = new Starter(entryIn(targetDir(), lab));

  for (const spec of lab.scenarios) {
    const run = scenarios[spec.id];
    if (!run) throw new Error(`Lab ${lab.number} has no implementation for scenario "${spec.id}".`);
    const cap = spec.timeoutMs ?? DEFAULT_SCENARIO_MS;
    test(spec.id, { timeout: cap + BACKSTOP_MS }, async ({ task }) => {
      const transcript = new Transcript();
      const clients: TestClient[] = [];
      let program: LearnerProgram | undefined;
      try {
        program = await starter.start();
        const ctx: ScenarioContext = {
          program,
          transcript,
          connect: async (label, options) => {
            const client = await TestClient.connect({ host: program!.host, port: program!.port, transcript, ...(label ? { label } : {}), ...options });
            clients.push(client);
            return client;
          },
        };
        await within(cap, `the whole scenario "${spec.title}" to finish`, run(ctx));
        const { exit } = program.health();
        if (exit) throw new ScenarioFailure(`Your program ${exit} during this scenario.`, { kind: 'crashed' });
      } catch (err) {
        task.meta.failure = await report(err, transcript, program);
        throw err;
      } finally {
        for (const client of clients) client.destroy();
        await program?.kill();
      }
    });
  }
}

async function report(err: unknown, transcript: Transcript, program: LearnerProgram | undefined): Promise<FailureReport> {
  const message = err instanceof Error ? err.message : String(err);
  // A copy: what happens after the failure (the cleanup closing sockets) is not part of the story.
  const failure: FailureReport = { message, connections: structuredClone(transcript.connections) };
  if (err instanceof ScenarioFailure) failure.details = err.details;
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
