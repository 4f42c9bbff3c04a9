// Runs a client program of the learner's (lab 5's client.ts) as a bounded child process: the
// harness writes its input, reads its output and waits for its exit, each with a bound, and
// kills it (with anything it started) when the scenario is over. Unlike LearnerProgram it
// waits for no ready line: a client does not listen, it connects and talks.

import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { ScenarioFailure } from './failure.ts';
import { learnerNodeArgs } from './program.ts';
import { isWindows, killTree, registerPid } from './process-tree.ts';

const OUTPUT_KEPT = 16 * 1024;

export class ClientProgram {
  /** What the program printed, stdout and stderr interleaved as they came. */
  private output = '';
  private exitCode: number | null | undefined;
  private exitSignal: NodeJS.Signals | null = null;
  private readonly changes = new EventEmitter();
  readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** How failures name it: "your client (first run)". */
    readonly label: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
        this.changes.emit('change');
      });
      child.once('error', (err) => {
        this.append(`[harness] could not run the program: ${err.message}\n`);
        this.exitCode ??= null;
        resolve();
      });
    });
    child.stdout?.on('data', (chunk: Buffer) => this.append(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.append(chunk.toString('utf8')));
    // A program that exits without reading all its input must not fail the harness's writes.
    child.stdin?.on('error', () => {});
  }

  /** Starts `entry` with `args` (no port is added: a client is told where to connect). */
  static async start(entry: string, args: string[], label: string): Promise<ClientProgram> {
    const child = spawn(process.execPath, [...(await learnerNodeArgs(entry, 'Your client')), ...args], {
      cwd: path.dirname(entry),
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
      detached: !isWindows,
      windowsHide: true,
    });
    if (child.pid) registerPid(child.pid);
    return new ClientProgram(child, label);
  }

  private append(text: string): void {
    this.output += text;
    if (this.output.length > OUTPUT_KEPT) this.output = this.output.slice(-OUTPUT_KEPT);
    this.changes.emit('change');
  }

  get printed(): string {
    return this.output;
  }

  get hasExited(): boolean {
    return this.exitCode !== undefined;
  }

  /** "exited with code 1", "was killed by SIGKILL", or "is still running". */
  get status(): string {
    if (this.exitCode === undefined) return 'is still running';
    return this.exitSignal ? `was killed by ${this.exitSignal}` : `exited with code ${this.exitCode}`;
  }

  get code(): number | null | undefined {
    return this.exitCode;
  }

  /** Types lines into the program, as a person at the keyboard would. */
  type(lines: string[]): void {
    this.child.stdin?.write(lines.map((line) => `${line}\n`).join(''));
  }

  /** Ends the program's input (Ctrl+D). */
  endInput(): void {
    this.child.stdin?.end();
  }

  /** Waits, with a bound, for the program to exit; the failure says what it was expected to do. */
  async expectExit(withinMs: number, awaited: string): Promise<void> {
    if (this.hasExited) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), withinMs)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      throw new ScenarioFailure(`Timed out after ${withinMs} ms waiting for ${this.label} to ${awaited}; it is still running.`, {
        kind: 'timeout',
        wait: { awaited: `${this.label} to ${awaited}`, withinMs },
        expected: `${this.label} to ${awaited}`,
        actual: `what it printed:\n${this.lastLines()}`,
      });
    }
  }

  /** The end of what it printed, for a failure's details. */
  lastLines(lines = 20): string {
    const text = this.output.trimEnd();
    return text === '' ? '(it printed nothing)' : text.split(/\r?\n/).slice(-lines).join('\n');
  }

  /** Waits, with a bound, until the program has printed `text`; fails at once if it exits first. */
  async expectOutput(text: string, withinMs: number, awaited: string): Promise<void> {
    const seen = () => this.output.includes(text);
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (seen()) return finish(resolve);
        if (this.hasExited) finish(() => reject(new ScenarioFailure(`${this.label} ${this.status} before it printed ${awaited}.`, { kind: 'closed', expected: text, actual: `what it printed:\n${this.lastLines()}` })));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new ScenarioFailure(`Timed out after ${withinMs} ms waiting for ${this.label} to print ${awaited}.`, { kind: 'timeout', wait: { awaited: `${this.label} to print ${awaited}`, withinMs }, expected: text, actual: `what it printed:\n${this.lastLines()}` })),
          ),
        withinMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.changes.off('change', check);
        settle();
      };
      this.changes.on('change', check);
      check();
    });
  }

  /** Kills the program and anything it started; resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.child.pid && !this.hasExited) killTree(this.child.pid);
    this.child.stdin?.destroy();
    await this.exited;
  }
}
