// Lab 6 (reference solution): the statistics the server keeps, and how they survive.
//
// The original room kept per-user statistics in its user database and wrote that file only on a
// clean exit, by truncating it first: a crash lost everything since the last start, and a crash
// during the write lost everything at all. Here the statistics live in their own file, apart
// from the accounts (and far from any password hash), and are saved atomically (atomic-file.ts):
//   - every few seconds, if anything changed (a crash loses at most that period),
//   - and once more at shutdown.
// Counting happens in memory, synchronously, the moment each event happens: no counter ever
// waits for the disk, so an `audit` always sees every event that came before it.
// The file's format: docs/protocol.md, "Lab 6: audit and shutdown".

import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from './atomic-file.ts';

/** What the server counts for one account. */
export interface UserStats {
  logons: number;
  logoffs: number;
  failedLogins: number;
  messages: number;
  /** The UTF-8 size of the chat texts this account sent. */
  bytes: number;
  /** The time of its last login, message or logoff (ISO 8601, UTC). */
  lastSeen: string | null;
  /** The IP addresses it logged in from, each once, oldest first. */
  addresses: string[];
}

interface StatsFile {
  version: 1;
  connections: { total: number; rejected: number };
  users: Record<string, UserStats>;
}

/** In memory, the users are a Map: a plain object would take "__proto__" (a valid name!) for its prototype. */
interface Counts {
  connections: { total: number; rejected: number };
  users: Map<string, UserStats>;
}

/** What `audit json` prints: the statistics, plus what only makes sense while running. */
export interface Audit {
  type: 'audit';
  uptimeMs: number;
  connections: { now: number; total: number; rejected: number };
  users: Record<string, UserStats>;
}

/** The most addresses kept per account: a roaming user must not grow the file for ever. */
export const MAX_ADDRESSES = 20;

/** The statistics file cannot be used: the message names the file and what is wrong. */
export class StatsError extends Error {
  override name = 'StatsError';
}

export class Statistics {
  private readonly startedAt = Date.now();
  private connectionsNow = 0;
  /** Whether anything changed since the last save: an idle server does not touch the disk. */
  private changed = false;
  /** The saves, one at a time: two writes of the same temporary file must never overlap. */
  private saving: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly file: string,
    private readonly data: Counts,
  ) {}

  /** Loads the statistics: no file yet means none yet; a file that cannot be used is an error. */
  static async load(file: string): Promise<Statistics> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Statistics(file, { connections: { total: 0, rejected: 0 }, users: new Map() });
      throw new StatsError(`cannot read the statistics ${file}: ${(err as Error).message}`);
    }
    return new Statistics(file, parseStats(file, text));
  }

  // ---- counting: called by the server as things happen --------------------------------------

  connected(): void {
    this.connectionsNow++;
    this.data.connections.total++;
    this.changed = true;
  }

  disconnected(): void {
    this.connectionsNow--;
  }

  /** The server closed a connection whose handshake failed or did not finish in time. */
  rejected(): void {
    this.data.connections.rejected++;
    this.changed = true;
  }

  loggedOn(name: string, ip: string): void {
    const user = this.touch(name);
    user.logons++;
    if (!user.addresses.includes(ip)) {
      user.addresses.push(ip);
      if (user.addresses.length > MAX_ADDRESSES) user.addresses.shift();
    }
  }

  loggedOff(name: string): void {
    this.touch(name).logoffs++;
  }

  loginFailed(name: string): void {
    // Not "seen": a failed login is someone trying the name, maybe not its owner.
    this.touch(name, false).failedLogins++;
  }

  messageSent(name: string, bytes: number): void {
    const user = this.touch(name);
    user.messages++;
    user.bytes += bytes;
  }

  /** The record of `name` (made on its first event), marked as seen now unless `seen` is false. */
  private touch(name: string, seen = true): UserStats {
    let user = this.data.users.get(name);
    if (!user) {
      user = { logons: 0, logoffs: 0, failedLogins: 0, messages: 0, bytes: 0, lastSeen: null, addresses: [] };
      this.data.users.set(name, user);
    }
    if (seen) user.lastSeen = new Date().toISOString();
    this.changed = true;
    return user;
  }

  // ---- reading -------------------------------------------------------------------------------

  audit(): Audit {
    return {
      type: 'audit',
      uptimeMs: Date.now() - this.startedAt,
      connections: { now: this.connectionsNow, ...this.data.connections },
      users: this.usersObject(),
    };
  }

  /** The users as a JSON object. A copy: whoever prints it must not be able to change the counters. */
  private usersObject(): Record<string, UserStats> {
    return structuredClone(Object.fromEntries(this.data.users));
  }

  // ---- saving --------------------------------------------------------------------------------

  /** Saves every `intervalMs` when something changed. The timer never keeps the program alive. */
  saveEvery(intervalMs: number): void {
    this.timer = setInterval(() => void this.save().catch((err: Error) => console.error(`could not save the statistics: ${err.message}`)), intervalMs);
    this.timer.unref();
  }

  /** Writes the file if anything changed since the last save; resolves once it is on disk. */
  save(): Promise<void> {
    const next = this.saving.then(async () => {
      if (!this.changed) return;
      this.changed = false;
      // The text is made now, in one go: counters that change during the write go in the next save.
      const content: StatsFile = { version: 1, connections: this.data.connections, users: this.usersObject() };
      const text = JSON.stringify(content, null, 2) + '\n';
      try {
        await writeFileAtomically(this.file, text);
      } catch (err) {
        this.changed = true; // not saved: try again next time
        throw err;
      }
    });
    this.saving = next.catch(() => {}); // one failed save must not stop the ones after it
    return next;
  }

  /** At shutdown: no more timed saves, one last one. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.save();
  }
}

// ---- reading the file: it may hold anything ---------------------------------------------------

function parseStats(file: string, text: string): Counts {
  const damaged = (why: string) =>
    new StatsError(
      `the statistics file ${file} is damaged: ${why}.\n` +
        'The server will not start with it, and has not changed it. Restore it from a backup, or move it away to start counting from zero.',
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw damaged(text.length === 0 ? 'it is empty (0 bytes)' : `it is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(value) || value.version !== 1 || !isObject(value.connections) || !isObject(value.users)) {
    throw damaged('expected {"version":1,"connections":{…},"users":{…}}');
  }
  const { total, rejected } = value.connections;
  if (!isCount(total) || !isCount(rejected)) throw damaged('"connections" needs the counts "total" and "rejected"');
  const users = new Map<string, UserStats>();
  for (const [name, user] of Object.entries(value.users)) {
    if (!isUserStats(user)) throw damaged(`the statistics of "${name}" are incomplete or malformed`);
    users.set(name, user);
  }
  return { connections: { total, rejected }, users };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function isUserStats(value: unknown): value is UserStats {
  if (!isObject(value)) return false;
  const { logons, logoffs, failedLogins, messages, bytes, lastSeen, addresses } = value;
  return (
    [logons, logoffs, failedLogins, messages, bytes].every(isCount) &&
    (lastSeen === null || typeof lastSeen === 'string') &&
    Array.isArray(addresses) &&
    addresses.every((address) => typeof address === 'string')
  );
}
