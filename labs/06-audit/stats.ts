// Lab 6: the statistics the server keeps, and how they survive. This file is yours.
//
// The original room kept its per-user statistics inside the user database, and wrote that file
// only on a clean exit, truncating it first: a crash lost every count since the start. Here the
// statistics have a file of their own, stats.json in the data folder, far from any password
// hash, and it is saved atomically (atomic-file.ts, given):
//   - every --stats-interval-ms, if anything changed (so a crash loses at most that much),
//   - and once more at shutdown.
// Counting happens in memory, at once, when the server calls one of the methods below: no
// counter ever waits for the disk, so an `audit` always sees every event that came before it.
// The file's format and what each count means: docs/protocol.md, "Lab 6: audit and shutdown".
// The guide: npm run docs 6, "Counting at the moment of the event" and "Saving the statistics".

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

/** What stats.json holds (the connections open right now are not saved: after a restart there are none). */
interface StatsFile {
  version: 1;
  connections: { total: number; rejected: number };
  users: Record<string, UserStats>;
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
  // TODO: keep the counts in memory: the connections open now, in all and rejected, and a
  //       UserStats per account name.

  private constructor(readonly file: string) {}

  /** Loads the statistics kept in `file`. */
  static async load(file: string): Promise<Statistics> {
    // TODO: read the file. No file yet (ENOENT) means no statistics yet: start from zero.
    // TODO: anything else that goes wrong is a StatsError whose message names the file and says
    //       what is wrong: it cannot be read, it is not valid JSON, or it is not shaped like
    //       StatsFile (check every account's counts). Never start from zero instead, and never
    //       write over a file you could not read.
    return new Statistics(file);
  }

  // ---- counting: the server calls these as things happen --------------------------------------

  /** A connection was accepted. */
  connected(): void {
    // TODO
  }

  /** A connection closed, however it closed. */
  disconnected(): void {
    // TODO
  }

  /** The server closed a connection whose handshake failed or did not finish in time. */
  rejected(): void {
    // TODO
  }

  /** `name` logged in from the IP address `ip`. */
  loggedOn(name: string, ip: string): void {
    // TODO: a logon; the address, if it is new for this account (at most MAX_ADDRESSES, the
    //       newest kept); the account was seen now.
  }

  /** `name`, logged in, has left, however its connection ended. */
  loggedOff(name: string): void {
    // TODO
  }

  /** A login for the existing account `name` was refused: a wrong password, or the name is locked. */
  loginFailed(name: string): void {
    // TODO
  }

  /** `name` sent a chat message of `bytes` bytes (UTF-8), and the room received it. */
  messageSent(name: string, bytes: number): void {
    // TODO: count the message and its bytes, never its text.
  }

  // ---- reading -------------------------------------------------------------------------------

  /** The statistics as they are now, for `audit` and `audit json`. */
  audit(): Audit {
    // TODO: the counts, as a copy: whoever prints them must not be able to change them.
    return { type: 'audit', uptimeMs: Date.now() - this.startedAt, connections: { now: 0, total: 0, rejected: 0 }, users: {} };
  }

  // ---- saving --------------------------------------------------------------------------------

  /** Saves the statistics every `intervalMs`, when something changed since the last save. */
  saveEvery(intervalMs: number): void {
    // TODO: a timer that calls save(), and never keeps the program alive on its own (unref).
    //       A save that fails says so on stderr; the next one tries again.
  }

  /** Writes stats.json if anything changed since the last save; resolves once it is on the disk. */
  async save(): Promise<void> {
    // TODO: atomically (writeFileAtomically), in the shape of StatsFile; one save at a time,
    //       each with the counts as they are when it starts.
  }

  /** At shutdown: no more timed saves, and one last save. */
  async close(): Promise<void> {
    // TODO
  }
}
