// The harness's own account of the statistics (docs/protocol.md, "The statistics"): it knows
// every connection, login, failure and message it made, so it knows what `audit json` and
// stats.json must say, to the unit. Written apart from any solution: the figures come from
// what the harness did on the wire, never from the program's code.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { show } from '../../kit/chat-client.ts';
import { ScenarioFailure, check, within } from '../../kit/failure.ts';
import { TEST_STATS_INTERVAL_MS } from './test-settings.ts';

/** What the statistics say about one account. */
export interface UserFigures {
  logons: number;
  logoffs: number;
  failedLogins: number;
  messages: number;
  bytes: number;
  lastSeen: string | null;
  addresses: string[];
}

interface Connections {
  now?: number;
  total: number;
  rejected: number;
}

/** An answer to `audit json`, checked for shape. */
export interface Audit {
  uptimeMs: number;
  connections: { now: number; total: number; rejected: number };
  users: Record<string, UserFigures>;
  /** The line as printed, for failure messages. */
  line: string;
}

/** stats.json as saved, checked for shape. */
export interface SavedStats {
  connections: { total: number; rejected: number };
  users: Record<string, UserFigures>;
  text: string;
}

export const STATS_FILE = 'stats.json';
const COUNTERS = ['logons', 'logoffs', 'failedLogins', 'messages', 'bytes'] as const;
type Counter = (typeof COUNTERS)[number];

const AUDIT_EXAMPLE =
  '{"type":"audit","uptimeMs":83021,"connections":{"now":2,"total":12,"rejected":1},"users":{"alice":{"logons":3,"logoffs":2,"failedLogins":1,"messages":7,"bytes":161,"lastSeen":"2026-11-24T15:04:05.000Z","addresses":["127.0.0.1"]}}}';
const STATS_EXAMPLE = '{"version":1,"connections":{"total":12,"rejected":1},"users":{"alice":{"logons":3,…,"lastSeen":"…","addresses":["127.0.0.1"]}}}';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Why `value` is not the statistics of one account, or undefined when it is. */
function userShapeProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not an object';
  for (const counter of COUNTERS) if (!isCount(value[counter])) return `"${counter}" is not a whole number`;
  if (value.lastSeen !== null && typeof value.lastSeen !== 'string') return '"lastSeen" is neither a time (a string) nor null';
  if (!Array.isArray(value.addresses) || !value.addresses.every((a) => typeof a === 'string')) return '"addresses" is not a list of strings';
  return undefined;
}

function checkUsers(users: unknown, where: string, example: string): Record<string, UserFigures> {
  check(isObject(users), `${where} has no "users" object.`, { expected: example, actual: show(users) });
  for (const [name, user] of Object.entries(users)) {
    const problem = userShapeProblem(user);
    check(problem === undefined, `In ${where}, the statistics of "${name}" are not shaped as docs/protocol.md says: ${problem}.`, {
      expected: '{"logons":…,"logoffs":…,"failedLogins":…,"messages":…,"bytes":…,"lastSeen":"<ISO time>" or null,"addresses":["127.0.0.1"]}',
      actual: show(user),
    });
  }
  return users as Record<string, UserFigures>;
}

/** Parses one line printed for `audit json`, and checks its shape. */
export function parseAudit(line: string, when: string): Audit {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new ScenarioFailure(`The answer to "audit json" (${when}) is not one line of JSON: a script reads it line by line, so the whole object must be on one line.`, {
      kind: 'mismatch',
      expected: AUDIT_EXAMPLE,
      actual: `${show(line)} (${(err as Error).message})`,
    });
  }
  const where = `the answer to "audit json" (${when})`;
  check(isObject(value) && value.type === 'audit', `${where} is not an object with "type":"audit".`, { expected: AUDIT_EXAMPLE, actual: show(value) });
  check(typeof value.uptimeMs === 'number' && Number.isFinite(value.uptimeMs) && value.uptimeMs >= 0, `${where} has no "uptimeMs": the milliseconds since the server started, as a number.`, {
    expected: AUDIT_EXAMPLE,
    actual: show(value),
  });
  const connections = value.connections;
  check(isObject(connections) && isCount(connections.now) && isCount(connections.total) && isCount(connections.rejected), `${where} has no "connections" with the counts "now", "total" and "rejected".`, {
    expected: AUDIT_EXAMPLE,
    actual: show(value),
  });
  const users = checkUsers(value.users, where, AUDIT_EXAMPLE);
  return { uptimeMs: value.uptimeMs, connections: connections as Audit['connections'], users, line };
}

// ---- what the harness did --------------------------------------------------------------------

interface ExpectedUser {
  logons: number;
  logoffs: number;
  failedLogins: number;
  messages: number;
  bytes: number;
  addresses: string[];
  /** A login, a message or a logoff happened: lastSeen must be a time. */
  seen: boolean;
}

/** Words for each counter, for failure messages. */
const MEANING: Record<Counter, string> = {
  logons: 'successful logins',
  logoffs: 'logged-in connections that ended',
  failedLogins: 'logins refused for a wrong password or a locked name',
  messages: 'chat messages relayed',
  bytes: 'UTF-8 bytes of the chat texts relayed',
};

/**
 * Everything the harness did that the statistics count, kept as the counts it must produce and
 * as a story in words, shown when the program's figures differ.
 */
export class Tally {
  readonly connections = { now: 0, total: 0, rejected: 0 };
  readonly users = new Map<string, ExpectedUser>();
  readonly story: string[] = [];

  private user(name: string): ExpectedUser {
    let user = this.users.get(name);
    if (!user) this.users.set(name, (user = { logons: 0, logoffs: 0, failedLogins: 0, messages: 0, bytes: 0, addresses: [], seen: false }));
    return user;
  }

  private tell(line: string): void {
    this.story.push(line);
  }

  connected(who: string): void {
    this.connections.now++;
    this.connections.total++;
    this.tell(`${who} connected`);
  }

  /** The server closed the connection because its handshake failed: a rejected connection. */
  rejected(who: string, why: string): void {
    this.connections.now--;
    this.connections.rejected++;
    this.tell(`${who} ${why}, and the server closed its connection (rejected)`);
  }

  loggedOn(name: string, ip: string): void {
    const user = this.user(name);
    user.logons++;
    user.seen = true;
    if (!user.addresses.includes(ip)) user.addresses.push(ip);
    this.tell(`${name} logged in from ${ip}`);
  }

  /** A logged-in connection ended (`how`); the program saw it end. */
  loggedOff(name: string, how: string): void {
    this.connections.now--;
    const user = this.user(name);
    user.logoffs++;
    user.seen = true;
    this.tell(`${name} ${how} (a logoff)`);
  }

  failedLogin(name: string, why: string): void {
    this.user(name).failedLogins++;
    this.tell(`${name}: ${why} (a failed login)`);
  }

  message(name: string, text: string): void {
    const user = this.user(name);
    user.messages++;
    user.bytes += Buffer.byteLength(text, 'utf8');
    user.seen = true;
  }

  /** Several messages at once, told as one line of the story. */
  said(name: string, texts: string[]): void {
    for (const text of texts) this.message(name, text);
    const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
    this.tell(`${name} sent ${texts.length} chat line${texts.length === 1 ? '' : 's'}, relayed to the room (${bytes} bytes of text in UTF-8)`);
  }

  /** Something the harness did that counts nowhere, told so the story is complete. */
  uncounted(what: string): void {
    this.tell(`${what} (counts nowhere)`);
  }

  /** The program stopped (its connections with it) and started again on the same data folder. */
  restarted(how: string): void {
    this.connections.now = 0;
    this.tell(how);
  }

  /** The figures the statistics must show, for failure messages (lastSeen described in words). */
  expected(withNow: boolean): string {
    const { now, total, rejected } = this.connections;
    const users = Object.fromEntries(
      [...this.users].map(([name, { seen, ...figures }]) => [name, { ...figures, lastSeen: seen ? '<the time of its last login, message or logoff>' : null }]),
    );
    return JSON.stringify({ connections: withNow ? { now, total, rejected } : { total, rejected }, users });
  }

  /** What the harness did, then the figures that follow from it: the "expected" of a failure. */
  explain(withNow: boolean): string {
    return [`what the harness did:`, ...this.story.map((line) => `  - ${line}`), `so the statistics must hold (other fields allowed):`, `  ${this.expected(withNow)}`].join('\n');
  }
}

// ---- comparing ---------------------------------------------------------------------------------

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
/** Slack on "plausible" times: the clocks are the same machine's, but rounding and scheduling vary. */
const CLOCK_SLACK_MS = 2000;

/** Why `time` is not an ISO 8601 UTC time between `since` and now, or undefined if it is one. */
export function implausibleTime(time: unknown, since: number): string | undefined {
  if (typeof time !== 'string' || !ISO_UTC.test(time)) return `${show(time)} is not a time in ISO 8601, UTC (such as "2026-11-24T15:04:05.123Z", as new Date().toISOString() writes)`;
  const at = Date.parse(time);
  if (Number.isNaN(at)) return `${show(time)} is not a real date`;
  if (at < since - CLOCK_SLACK_MS || at > Date.now() + CLOCK_SLACK_MS) return `${time} is not during this test (which began at ${new Date(since).toISOString()})`;
  return undefined;
}

/** Every way `connections` and `users` differ from what the harness did. */
function differences(connections: Connections, users: Record<string, UserFigures>, tally: Tally, since: number): string[] {
  const found: string[] = [];
  const fields = connections.now === undefined ? (['total', 'rejected'] as const) : (['now', 'total', 'rejected'] as const);
  const connectionMeaning = { now: 'connections open right now', total: 'connections ever accepted', rejected: 'connections closed because their handshake failed' };
  for (const field of fields) {
    const actual = connections[field];
    const expected = tally.connections[field];
    if (actual !== expected) found.push(`connections.${field} is ${actual}, but the harness made ${expected} (${connectionMeaning[field]})`);
  }
  for (const [name, want] of tally.users) {
    const got = users[name];
    if (!got) {
      found.push(`there is no entry for "${name}" in "users" (keyed by the account's name as registered)`);
      continue;
    }
    for (const counter of COUNTERS) {
      if (got[counter] !== want[counter]) found.push(`${name}.${counter} is ${got[counter]}, but it should be ${want[counter]} (${MEANING[counter]})`);
    }
    if (JSON.stringify(got.addresses) !== JSON.stringify(want.addresses)) {
      found.push(`${name}.addresses is ${JSON.stringify(got.addresses)}, but it should be ${JSON.stringify(want.addresses)} (the IP addresses it logged in from, without ports, each once)`);
    }
    // The time of the last login, message or logoff: null until there is one (a failed login is not one).
    if (!want.seen) {
      if (got.lastSeen !== null) found.push(`${name}.lastSeen is ${show(got.lastSeen)}, but it should be null: ${name} has not logged in, chatted or left yet (a failed login is someone trying the name, maybe not its owner)`);
    } else {
      const problem = got.lastSeen === null ? `it is null, although ${name} logged in, chatted or left during this test` : implausibleTime(got.lastSeen, since);
      if (problem) found.push(`${name}.lastSeen: ${problem}`);
    }
  }
  for (const [name, got] of Object.entries(users)) {
    if (tally.users.has(name)) continue;
    const idle = COUNTERS.every((counter) => got[counter] === 0) && got.addresses.length === 0;
    if (!idle) found.push(`there is an entry for "${name}" with figures, although the harness did nothing that counts for "${name}": ${show(got)}`);
  }
  return found;
}

/** Fails unless an `audit json` answer shows exactly what the harness did (times: plausible). */
export function checkAudit(audit: Audit, tally: Tally, when: string, since: number): void {
  const found = differences(audit.connections, audit.users, tally, since);
  if (found.length === 0) return;
  throw new ScenarioFailure(`${when}, "audit json" does not match what the harness did: ${found.join('; ')}.`, {
    kind: 'mismatch',
    expected: tally.explain(true),
    actual: audit.line,
  });
}

// ---- stats.json ---------------------------------------------------------------------------------

export const statsPath = (dataDir: string): string => path.join(dataDir, STATS_FILE);

type StatsReading = { state: 'missing' } | { state: 'damaged'; text: string; why: string } | { state: 'saved'; stats: SavedStats };

/** Reads stats.json as it is right now. */
export function readStats(dataDir: string): StatsReading {
  let text: string;
  try {
    text = readFileSync(statsPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { state: 'damaged', text, why: (err as Error).message };
  }
  const where = STATS_FILE;
  check(isObject(value) && value.version === 1 && isObject(value.connections), `${where} is not shaped as docs/protocol.md says.`, { expected: STATS_EXAMPLE, actual: show(value) });
  const connections = value.connections as Record<string, unknown>;
  check(isCount(connections.total) && isCount(connections.rejected), `The "connections" of ${where} do not hold the counts "total" and "rejected".`, { expected: STATS_EXAMPLE, actual: show(value) });
  const users = checkUsers(value.users, where, STATS_EXAMPLE);
  return { state: 'saved', stats: { connections: { total: connections.total, rejected: connections.rejected }, users, text } };
}

/** The pace of rereading stats.json while waiting for a save; nothing waits on it for an outcome. */
const REREAD_MS = 20;

/**
 * Waits, within `withinMs` (a few save periods), until stats.json is saved and `accept` takes
 * it (it returns what is still wrong, or nothing). A file caught half-written fails at once:
 * the program did not replace it atomically. `awaited` says what the file should show.
 */
export async function waitForStats(dataDir: string, accept: (stats: SavedStats) => string[], awaited: string, withinMs: number, expected: string): Promise<SavedStats> {
  let last = { state: 'missing' } as StatsReading;
  let wrong: string[] = [];
  let stopped = false;
  const settled = (async (): Promise<SavedStats> => {
    for (;;) {
      if (stopped) throw new Error('no longer waited for');
      last = readStats(dataDir);
      if (last.state === 'damaged') {
        throw new ScenarioFailure(`The harness read ${STATS_FILE} while your program was saving it, and found it half-written: a crash at that moment would lose every statistic.`, {
          kind: 'mismatch',
          expected: 'a complete JSON document at every moment (write a temporary file, flush it, then rename it over stats.json)',
          actual: `${last.text.length} characters: ${show(last.text)} (${last.why})`,
        });
      }
      if (last.state === 'saved') {
        wrong = accept(last.stats);
        if (wrong.length === 0) return last.stats;
      }
      await new Promise((resolve) => setTimeout(resolve, REREAD_MS));
    }
  })();
  try {
    return await within(withinMs, `${STATS_FILE} to show ${awaited}`, settled);
  } catch (err) {
    if (!(err instanceof ScenarioFailure) || err.details.kind !== 'timeout') throw err;
    const seen = last.state === 'saved' ? `it holds other figures: ${wrong.join('; ')}` : `there is no ${STATS_FILE} in the data folder`;
    throw new ScenarioFailure(`Within ${withinMs} ms, ${STATS_FILE} did not show ${awaited}: ${seen}. Changed statistics must be saved every --stats-interval-ms (${TEST_STATS_INTERVAL_MS} ms in the tests).`, {
      kind: 'timeout',
      expected,
      actual: last.state === 'saved' ? last.stats.text : 'no file',
      wait: { awaited: `${STATS_FILE} to show ${awaited}`, withinMs },
    });
  } finally {
    // Stop rereading once the verdict is in (the loop ends at its next turn).
    stopped = true;
    void settled.catch(() => {});
  }
}

/** Waits until stats.json holds exactly what the harness did (but `now`, which is not saved). */
export function waitForSavedStats(dataDir: string, tally: Tally, when: string, since: number, withinMs: number): Promise<SavedStats> {
  return waitForStats(dataDir, (stats) => differences(stats.connections, stats.users, tally, since), `what the harness did ${when}`, withinMs, tally.explain(false));
}

/** Fails unless stats.json, as it is now, holds exactly what the harness did (the program has stopped). */
export function checkSavedStats(dataDir: string, tally: Tally, when: string, since: number): void {
  const reading = readStats(dataDir);
  check(reading.state === 'saved', `There is no valid ${STATS_FILE} in the data folder ${when}.`, {
    expected: tally.explain(false),
    actual: reading.state === 'damaged' ? `${show(reading.text)} (${reading.why})` : 'no file',
  });
  const found = differences(reading.stats.connections, reading.stats.users, tally, since);
  check(found.length === 0, `${when}, ${STATS_FILE} does not hold what the harness did: ${found.join('; ')}.`, { expected: tally.explain(false), actual: reading.stats.text });
}
