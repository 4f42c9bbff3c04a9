// Starting the learner's program as a real process, learning the port it got, watching
// its health, keeping the tail of its output, and stopping it (with its children).
//
// The contract every lab's program follows (written in each stub and in the docs):
//   node <entry> <port> [options]     the harness passes port 0 ("any free port")
//   it listens on 127.0.0.1 and prints  "listening on 127.0.0.1:<port>"  once ready.

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { CompileError, compiledProgram } from './compiled-program.ts';
import { ScenarioFailure, within } from './failure.ts';
import { killOrphanedGroup, killTree, isWindows, registerPid } from './process-tree.ts';

const READY_LINE = /listening on\s+\[?([^\s\]]+?)\]?:(\d+)/i;
const OUTPUT_KEPT = 64 * 1024;
export const READY_WITHIN_MS = 5000;
/** No heartbeat for this long while alive means the event loop is blocked. */
const BLOCKED_AFTER_MS = 1000;

/**
 * Node's arguments to run one of the learner's files as the harness does (compiled, with the
 * child guard preloaded). A file that does not compile fails as a start that never happened.
 */
export async function learnerNodeArgs(entry: string, who = 'Your program'): Promise<string[]> {
  try {
    return (await compiledProgram(entry)).nodeArgs;
  } catch (err) {
    if (err instanceof CompileError) throw new StartError(`${who} could not be compiled, so it never started: ${err.message}.`, err.report);
    throw err;
  }
}

export interface StartOptions {
  /** Absolute path of the program's entry file. */
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  readyWithinMs?: number;
}

/** Why a program could not be started: it exited, never printed the ready line, or hung. */
export class StartError extends Error {
  override name = 'StartError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

export interface Health {
  alive: boolean;
  exit?: string;
  /** Milliseconds since the last heartbeat, when that is long enough to mean "blocked". */
  blockedForMs?: number;
  listening?: boolean;
}

export class LearnerProgram {
  host = '127.0.0.1';
  port = 0;
  private output = '';
  /** Everything the program printed on stdout since it started, for `waitForOutput` (bounded like `output`). */
  private stdout = '';
  /** How much of `stdout` was dropped from the front to bound it: offsets stay absolute. */
  private stdoutDropped = 0;
  private readonly stdoutWaiters = new Set<() => void>();
  /** Who waits for the next heartbeat (`nextHeartbeat`). */
  private readonly beatWaiters = new Set<() => void>();
  /** When the last heartbeat came; undefined until the first (the program has not started running yet). */
  private lastBeat: number | undefined;
  /** The CPU time (user + system) the program reported in its last heartbeat, in microseconds. */
  private cpuMicros = 0;
  /** The program's resident memory as of its last heartbeat, and the most seen in any heartbeat. */
  rssBytes = 0;
  peakRssBytes = 0;
  private exitDescription: string | undefined;
  /** The exit code once the program has exited by itself (null when a signal ended it). */
  exitCode: number | null | undefined;
  readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitDescription = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        this.exitCode = code;
        resolve();
      });
      child.once('error', (err) => {
        this.append(`[harness] could not run the program: ${err.message}\n`);
        this.exitDescription ??= 'could not be started';
        resolve();
      });
    });
    child.on('message', (message: { cpuMicros?: number; rssBytes?: number }) => {
      this.lastBeat = performance.now();
      if (typeof message?.cpuMicros === 'number') this.cpuMicros = message.cpuMicros;
      if (typeof message?.rssBytes === 'number') {
        this.rssBytes = message.rssBytes;
        this.peakRssBytes = Math.max(this.peakRssBytes, message.rssBytes);
      }
      for (const wake of this.beatWaiters) wake();
      this.beatWaiters.clear();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.append(text);
      this.stdout += text;
      if (this.stdout.length > OUTPUT_KEPT) {
        this.stdoutDropped += this.stdout.length - OUTPUT_KEPT;
        this.stdout = this.stdout.slice(-OUTPUT_KEPT);
      }
      for (const wake of this.stdoutWaiters) wake();
    });
    // A program may close its standard input, or exit before reading all of it: not our error.
    child.stdin?.on('error', () => {});
    child.stderr?.on('data', (chunk: Buffer) => this.append(chunk.toString('utf8')));
  }

  /** Starts the program and resolves once it has printed its ready line. */
  static async start(options: StartOptions): Promise<LearnerProgram> {
    const child = spawn(process.execPath, [...(await learnerNodeArgs(options.entry)), '0', ...(options.args ?? [])], {
      cwd: path.dirname(options.entry),
      env: { ...process.env, ...options.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      detached: !isWindows,
      windowsHide: true,
    });
    if (child.pid) registerPid(child.pid);
    const program = new LearnerProgram(child);
    await program.waitReady(options.readyWithinMs ?? READY_WITHIN_MS);
    return program;
  }

  private append(text: string): void {
    this.output += text;
    if (this.output.length > OUTPUT_KEPT) this.output = this.output.slice(-OUTPUT_KEPT);
  }

  private waitReady(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = READY_LINE.exec(this.output);
        if (!match) return;
        this.host = match[1] === 'localhost' || match[1] === '0.0.0.0' || match[1] === '::' ? '127.0.0.1' : match[1]!;
        this.port = Number(match[2]);
        // Printing the ready line proves the event loop ran just now: start-up time on a
        // loaded machine must not count as "blocked" before the first heartbeat arrives.
        this.lastBeat = performance.now();
        finish();
        resolve();
      };
      const fail = (why: string) => {
        finish();
        this.kill();
        reject(new StartError(why, tail(this.output, 30)));
      };
      const onExit = () => fail(`Your program ${this.exitDescription} before it printed "listening on 127.0.0.1:<port>".`);
      const timer = setTimeout(() => {
        const blocked = this.health().blockedForMs;
        fail(
          blocked
            ? `Your program started, but its event loop has been blocked for ${blocked} ms, so it never printed "listening on 127.0.0.1:<port>" (an endless loop or long synchronous work at start-up?).`
            : this.lastBeat === undefined
              ? `Your program did not print "listening on 127.0.0.1:<port>" within ${ms} ms: it had not even started running (is the machine very busy?).`
              : `Your program did not print "listening on 127.0.0.1:<port>" within ${ms} ms.`,
        );
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.off('exit', onExit);
      };
      this.child.stdout?.on('data', check);
      this.child.once('exit', onExit);
    });
  }

  /** The program's process id: for a test that signals this process alone, not its children. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** A mark in the program's stdout: `waitForOutput` from here sees only what comes after it. */
  get outputMark(): number {
    return this.stdoutDropped + this.stdout.length;
  }

  /** Types one line on the program's standard input (lab 6: its console). */
  typeLine(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** Ends the program's standard input, as Ctrl+D at a terminal or the end of piped input would. */
  endInput(): void {
    this.child.stdin?.end();
  }

  /**
   * Waits for the first whole stdout line after `mark` that `matches` accepts, and returns it.
   * `awaited` says in words what the line is, for the timeout's message.
   */
  async waitForOutput(matches: (line: string) => boolean, awaited: string, options: { after?: number; withinMs?: number } = {}): Promise<string> {
    const after = options.after ?? this.outputMark;
    let wake = () => {};
    const found = new Promise<string>((resolve, reject) => {
      wake = () => {
        const start = Math.max(0, after - this.stdoutDropped);
        const lines = this.stdout.slice(start).split('\n');
        lines.pop(); // the last piece is not a whole line yet
        const line = lines.find((candidate) => matches(candidate.replace(/\r$/, '')));
        if (line !== undefined) resolve(line.replace(/\r$/, ''));
        else if (!this.alive) reject(new ScenarioFailure(`Your program ${this.exitDescription} before it printed ${awaited}.`, { kind: 'crashed' }));
      };
      this.stdoutWaiters.add(wake);
      void this.exited.then(() => wake());
      wake();
    });
    try {
      return await within(options.withinMs ?? 1500, `your program to print ${awaited} on its standard output`, found);
    } finally {
      this.stdoutWaiters.delete(wake);
    }
  }

  /**
   * Resolves at the program's next heartbeat: from then on `cpuMs` and `rssBytes` are fresh, not
   * up to 0.1 s old (or older, on a loaded machine, or just after a start). A blocked event loop
   * sends none: the wait is bounded.
   */
  async nextHeartbeat(withinMs = 1500): Promise<void> {
    await within(withinMs, "your program's next heartbeat (its event loop sends one every 0.1 s while it runs)", new Promise<void>((resolve) => this.beatWaiters.add(resolve)));
  }

  /** The CPU time the program has used so far (as of its last heartbeat, at most 0.1 s old), in milliseconds. */
  get cpuMs(): number {
    return this.cpuMicros / 1000;
  }

  get alive(): boolean {
    return this.exitDescription === undefined;
  }

  /** The last `lines` lines the program printed (stdout and stderr, interleaved as they came), each cut to a readable width. */
  outputTail(lines = 30): string {
    return tail(this.output, lines);
  }

  health(): Health {
    if (!this.alive) return { alive: false, ...(this.exitDescription ? { exit: this.exitDescription } : {}) };
    // No heartbeat yet: Node is still starting (slow on a loaded machine), not blocked.
    if (this.lastBeat === undefined) return { alive: true };
    const silence = Math.round(performance.now() - this.lastBeat);
    return silence > BLOCKED_AFTER_MS ? { alive: true, blockedForMs: silence } : { alive: true };
  }

  /** Health plus a quick connect probe: does something still accept on the port? */
  async diagnose(): Promise<Health> {
    if (!this.alive || this.port === 0) return this.health();
    const listening = await probe(this.host, this.port);
    // A refused probe often means the program just crashed: give its exit a moment to be
    // reported, so the learner reads "it exited with code 1", not "not accepting".
    if (!listening) await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 250))]);
    const health = this.health();
    return health.alive ? { ...health, listening } : health;
  }

  /** Kills the program and its children; resolves once it is gone. */
  async kill(): Promise<void> {
    // A program that exited (or crashed) may have left children behind: they die with it here.
    if (this.child.pid && this.alive) killTree(this.child.pid);
    else if (this.child.pid) killOrphanedGroup(this.child.pid);
    this.child.stdin?.destroy();
    await this.exited;
  }
}

const LINE_WIDTH = 240;

function tail(text: string, lines: number): string {
  return text
    .split('\n')
    .slice(-lines - 1)
    .map((line) => (line.length > LINE_WIDTH ? `${line.slice(0, LINE_WIDTH)}… (${line.length - LINE_WIDTH} more characters)` : line))
    .join('\n');
}

function probe(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(300, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
