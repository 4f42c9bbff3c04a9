// The finished room (lab 6's reference solution, or any tree of the same layout) started for
// the hostile suite, with the checks that follow every attack:
//   - the server process is alive;
//   - an honest member connected throughout received every line another honest member said;
//   - a new honest client can still connect, register, log in and chat, within a bound;
//   - the server's memory (RSS, from the heartbeat) stayed under a bound;
//   - its files (accounts, statistics, event log) are valid.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findLab, repoRoot, entryIn } from '../manifest.ts';
import { ScenarioFailure, check } from '../kit/failure.ts';
import { LearnerProgram } from '../kit/program.ts';
import { parseStore, readStore, type StoredAccount } from '../labs/04-login/user-store.ts';
import { logFiles } from '../labs/06-audit/event-log-file.ts';
import { RoomClient } from '../kit/room-client.ts';

/** The tree under attack: the solutions, unless SOCKETLAB_HOSTILE_TARGET names another (a learner's labs/). */
export const hostileTarget = path.resolve(repoRoot, process.env.SOCKETLAB_HOSTILE_TARGET ?? 'solutions');

/** Whether to run the extended attack sizes of `npm run test:hostile` (the numbers) instead of the bounded ones of `npm test`. */
export const extended = process.env.SOCKETLAB_HOSTILE === 'extended';

/** Above this, the server's memory is not bounded: 500 silent connections and 50 stuck readers fit well under it. */
export const MEMORY_LIMIT_BYTES = 300 * 1024 * 1024;

/** How long a new honest client may take to connect, register, log in and be heard, even just after an attack. */
const HONEST_WITHIN_MS = 5000;

export const PASSWORD = 'honest password 1';
const HONEST_LINE = 'honest line ';

/** The settings of the tests (a cheap scrypt, a short handshake time), on loopback. */
const TEST_ARGS = ['--host', '127.0.0.1', '--scrypt-n', '1024', '--lockout-ms', '1500', '--handshake-timeout-ms', '1000', '--stats-interval-ms', '200'];

export class RoomUnderTest {
  /** The honest pair, connected before the first attack: `talker` speaks, `listener` must hear every line. */
  talker!: RoomClient;
  listener!: RoomClient;
  private readonly said: string[] = [];
  private names = 0;
  /** Highest RSS seen after any attack, for the summary. */
  peakRssBytes = 0;

  private constructor(
    public program: LearnerProgram,
    readonly dataDir: string,
    private readonly args: string[],
  ) {}

  static async start(extraArgs: string[] = [], dataDir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-hostile-'))): Promise<RoomUnderTest> {
    const args = ['--data', dataDir, ...TEST_ARGS, ...extraArgs];
    const program = await LearnerProgram.start({ entry: entryIn(hostileTarget, findLab('audit')!), args });
    return new RoomUnderTest(program, dataDir, args);
  }

  get port(): number {
    return this.program.port;
  }

  /** Kills the server as a power cut would, and starts it again on the same folder. */
  async crashAndRestart(): Promise<void> {
    await this.program.kill();
    this.program = await LearnerProgram.start({ entry: entryIn(hostileTarget, findLab('audit')!), args: this.args });
  }

  connect(label: string): Promise<RoomClient> {
    return RoomClient.connect('127.0.0.1', this.port, label);
  }

  /** A fresh account name: 1 to 20 characters of [A-Za-z0-9_-]. */
  newName(prefix = 'user'): string {
    return `${prefix.slice(0, 12)}-${++this.names}`;
  }

  /** Connects, registers a new account and logs in. */
  async member(prefix = 'user'): Promise<{ client: RoomClient; name: string }> {
    const name = this.newName(prefix);
    const client = await this.connect(name);
    await client.register(name, PASSWORD);
    await client.login(name, PASSWORD);
    return { client, name };
  }

  /** Connects the honest pair that stays connected through every attack. */
  async seatHonestPair(): Promise<void> {
    this.talker = (await this.member('talker')).client;
    this.listener = (await this.member('listener')).client;
  }

  /** The talker says one more line (during or between attacks). */
  say(): void {
    const text = `${HONEST_LINE}${this.said.length + 1}`;
    this.said.push(text);
    this.talker.send({ type: 'chat', text });
  }

  /** Says a line every few milliseconds until `attack` settles (at most `max` lines), then returns its result. */
  async talkThrough<T>(attack: Promise<T>, max = 200): Promise<T> {
    let settled = false;
    const talking = (async () => {
      for (let i = 0; i < max && !settled; i++) {
        this.say();
        await new Promise((resolve) => setTimeout(resolve, 5)); // a pace for the talker, not a synchronisation
      }
    })();
    try {
      return await attack;
    } finally {
      settled = true;
      await talking;
    }
  }

  /** Every check that follows an attack. `what` names the attack in the failure messages. */
  async expectHealthy(what: string): Promise<void> {
    check(this.program.alive, `After ${what}, the server is not running: it ${this.program.health().exit}.`, { actual: this.program.outputTail(15) });

    // The honest pair: every line said reached the listener, in order.
    this.say();
    const last = this.said[this.said.length - 1]!;
    await this.listener.next((message) => message.type === 'chat' && message.text === last, `the honest listener's copy of "${last}" after ${what}`, HONEST_WITHIN_MS);
    // (An attack may make the talker say other things too; it checks those itself.)
    const heard = this.listener.chatFrom(this.talker.label).filter((text) => text.startsWith(HONEST_LINE));
    check(JSON.stringify(heard) === JSON.stringify(this.said), `After ${what}, the honest listener did not hear every line the honest talker said, in order.`, {
      expected: `${this.said.length} lines`,
      actual: `${heard.length} lines; first difference at line ${heard.findIndex((line, i) => line !== this.said[i]) + 1}`,
    });

    // A newcomer gets in and is heard.
    const { client, name } = await this.member('newcomer').catch((err: Error) => {
      throw new ScenarioFailure(`After ${what}, a new honest client could not get in: ${err.message}`, { kind: 'timeout' });
    });
    client.send({ type: 'chat', text: `hello from ${name}` });
    await this.listener.next((message) => message.type === 'chat' && message.from === name, `the newcomer ${name}'s line, after ${what}`, HONEST_WITHIN_MS);
    client.destroy();

    // Memory: the heartbeat's RSS is at most 0.1 s old.
    this.peakRssBytes = Math.max(this.peakRssBytes, this.program.peakRssBytes);
    check(this.program.rssBytes < MEMORY_LIMIT_BYTES, `After ${what}, the server holds ${mib(this.program.rssBytes)} of memory (limit ${mib(MEMORY_LIMIT_BYTES)}).`);

    const problems = this.fileProblems();
    check(problems.length === 0, `After ${what}, the server's files are not valid: ${problems.join('; ')}`);
  }

  /** What is wrong with the data folder's files, if anything: each must parse. */
  fileProblems(): string[] {
    const problems: string[] = [];
    const parse = (file: string, text: string) => {
      try {
        JSON.parse(text);
      } catch (err) {
        problems.push(`${file}: ${(err as Error).message}`);
      }
    };
    for (const file of ['users.json', 'stats.json']) {
      const full = path.join(this.dataDir, file);
      if (existsSync(full)) parse(file, readFileSync(full, 'utf8'));
    }
    for (const file of logFiles(this.dataDir)) {
      const lines = readFileSync(path.join(this.dataDir, file), 'utf8').split('\n');
      if (lines.pop() !== '') problems.push(`${file} ends in half a line`);
      lines.forEach((line, i) => parse(`${file} line ${i + 1}`, line));
    }
    return problems;
  }

  /** The accounts in users.json, by lower-case name (read and checked as lab 4's tests do). */
  accounts(): Record<string, StoredAccount> {
    return Object.fromEntries(parseStore(readStore(this.dataDir, 'during the hostile suite'), 'during the hostile suite'));
  }

  async stop(): Promise<void> {
    this.talker?.destroy();
    this.listener?.destroy();
    await this.program.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export const mib = (bytes: number) => (bytes === 0 ? 'not reported yet' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`);
