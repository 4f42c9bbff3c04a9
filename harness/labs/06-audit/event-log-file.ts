// The harness's own reading of the event log (docs/protocol.md, "The event log"): events.log
// and its rotated files events.log.1, .2 … in the data folder, one JSON object per line. The
// harness knows which events it caused, in which order, and compares them with the lines.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { show } from '../../kit/chat-client.ts';
import { ScenarioFailure, check, within } from '../../kit/failure.ts';
import { implausibleTime } from './audit-model.ts';

export const LOG_FILE = 'events.log';

/** One line of a log file, parsed. */
export interface LogLine {
  file: string;
  /** Its line number in its file, from 1. */
  number: number;
  text: string;
  value: Record<string, unknown>;
}

/** A field's expected value: exactly this string, or any string this pattern accepts. */
export type FieldRule = string | RegExp;

/** An event the harness caused, and the fields it knows the line must carry. */
export interface ExpectedEvent {
  event: string;
  fields?: Record<string, FieldRule>;
  /** What the harness did that caused it, in words. */
  cause: string;
}

/** The events of docs/protocol.md, and no others. */
const EVENTS = ['server-start', 'server-stop', 'connect', 'handshake-failed', 'register', 'login', 'login-failed', 'lockout', 'protocol-error', 'disconnect'];

/** Any non-empty text (a reason the harness cannot predict word for word). */
export const SOME_TEXT = /\S/;

/** The log files in the data folder, oldest first: events.log.(n-1) … events.log.1, events.log. */
export function logFiles(dataDir: string): string[] {
  const numbered = readdirSync(dataDir)
    .map((name) => /^events\.log\.(\d+)$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .map((match) => match[0]);
  return [...numbered, ...(existsSync(path.join(dataDir, LOG_FILE)) ? [LOG_FILE] : [])];
}

/** The lines of one log file, each checked: whole, JSON, with an event name and a plausible time. */
export function readLogFile(dataDir: string, file: string, since: number): LogLine[] {
  const text = readFileSync(path.join(dataDir, file), 'utf8');
  if (text === '') return [];
  const lines = text.split('\n');
  const last = lines.pop()!;
  check(last === '', `${file} ends in the middle of a line: ${show(last)}. Every line must be complete, so that a reader (or a crash) never meets half an event.`, {
    expected: 'every line, the last one too, ending with "\\n"',
    actual: show(last),
  });
  return lines.map((line, i) => {
    const where = `line ${i + 1} of ${file}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new ScenarioFailure(`${where} is not JSON: each line of the event log is one JSON object.`, {
        kind: 'mismatch',
        expected: '{"time":"2026-11-24T15:04:05.123Z","event":"login","address":"127.0.0.1:53712","name":"alice"}',
        actual: `${show(line)} (${(err as Error).message})`,
      });
    }
    check(typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Record<string, unknown>).event === 'string', `${where} is not an event: a JSON object with an "event" name.`, {
      expected: '{"time":"…","event":"<name>",…}',
      actual: show(line),
    });
    const event = value as Record<string, unknown>;
    const problem = implausibleTime(event.time, since);
    check(problem === undefined, `The "time" of ${where} is not right: ${problem}.`, { expected: 'the time of the event, as new Date().toISOString() writes it', actual: show(line) });
    return { file, number: i + 1, text: line, value: event };
  });
}

/** Every line of every log file, oldest first. */
export function readLog(dataDir: string, since: number): LogLine[] {
  return logFiles(dataDir).flatMap((file) => readLogFile(dataDir, file, since));
}

/** An expected event as the line it stands for (a pattern shown as "<…>"). */
export function describe(expected: ExpectedEvent): string {
  const fields = Object.entries(expected.fields ?? {}).map(([key, rule]) => `"${key}":${typeof rule === 'string' ? JSON.stringify(rule) : rule === SOME_TEXT ? '"<some text>"' : `"<${rule.source}>"`}`);
  return `{"event":"${expected.event}"${fields.map((field) => `,${field}`).join('')}}`;
}

function matches(line: LogLine, expected: ExpectedEvent): boolean {
  if (line.value.event !== expected.event) return false;
  return Object.entries(expected.fields ?? {}).every(([key, rule]) => {
    const value = line.value[key];
    return typeof rule === 'string' ? value === rule : typeof value === 'string' && rule.test(value);
  });
}

/** What a line differs in from the event expected there, in words. */
function mismatch(line: LogLine, expected: ExpectedEvent): string {
  if (line.value.event !== expected.event) {
    const unknown = EVENTS.includes(String(line.value.event)) ? '' : ` (docs/protocol.md has no such event: ${EVENTS.join(', ')})`;
    return `it is a "${String(line.value.event)}" event${unknown}, where the harness expected "${expected.event}"`;
  }
  const wrong = Object.entries(expected.fields ?? {})
    .filter(([key, rule]) => {
      const value = line.value[key];
      return typeof rule === 'string' ? value !== rule : !(typeof value === 'string' && rule.test(value));
    })
    .map(([key]) => `"${key}" is ${line.value[key] === undefined ? 'missing' : show(line.value[key])}`);
  return `its ${wrong.join(', ')}`;
}

/** One expected step: an event, or several caused at once whose order is free. */
export type Step = ExpectedEvent | ExpectedEvent[];

const context = (lines: LogLine[], at: number) =>
  lines
    .slice(Math.max(0, at - 3), at + 3)
    .map((line, i) => `${Math.max(0, at - 3) + i === at ? '>' : ' '} ${line.file}:${line.number}  ${line.text}`)
    .join('\n');

/**
 * Fails unless `lines` are exactly the events of `steps`, in order, one line each. `what` names
 * the lines ("events.log").
 */
export function checkEvents(lines: LogLine[], steps: Step[], what: string): void {
  const flat = steps.flatMap((step) => (Array.isArray(step) ? step : [step]));
  let at = 0;
  for (const step of steps) {
    const group = Array.isArray(step) ? [...step] : [step];
    const first = group[0]!;
    while (group.length > 0) {
      const line = lines[at];
      if (!line) {
        throw new ScenarioFailure(`${what} ends after ${lines.length} lines, but the harness caused more events: the next one is ${describe(group[0]!)}, because ${group[0]!.cause}.`, {
          kind: 'mismatch',
          expected: flat.map(describe).join('\n'),
          actual: lines.map((l) => l.text).join('\n') || '(no lines)',
        });
      }
      const found = group.findIndex((candidate) => matches(line, candidate));
      if (found < 0) {
        const expected = group.length > 1 ? `one of ${group.map(describe).join(' or ')}` : describe(first);
        const why = group.map((candidate) => candidate.cause).join('; ');
        throw new ScenarioFailure(`Line ${line.number} of ${line.file} is not the event the harness caused at that point: ${mismatch(line, group[0]!)}. Expected ${expected}, because ${why}.`, {
          kind: 'mismatch',
          expected: `${expected}\n(the whole list, in order:\n${flat.map(describe).join('\n')})`,
          actual: context(lines, at),
        });
      }
      group.splice(found, 1);
      at++;
    }
  }
  if (at < lines.length) {
    const extra = lines[at]!;
    throw new ScenarioFailure(`${what} has more lines than the events the harness caused: line ${extra.number} of ${extra.file} is ${show(extra.value)}. One line per event, and only the events of docs/protocol.md (never a chat line: it would carry what someone said).`, {
      kind: 'mismatch',
      expected: flat.map(describe).join('\n'),
      actual: context(lines, at),
    });
  }
}

/** Fails unless the times of `lines` never go backwards: the log is in the order things happened. */
export function checkTimesInOrder(lines: LogLine[]): void {
  for (let i = 1; i < lines.length; i++) {
    const before = Date.parse(String(lines[i - 1]!.value.time));
    const now = Date.parse(String(lines[i]!.value.time));
    check(now >= before, `The times in the event log go backwards at line ${lines[i]!.number} of ${lines[i]!.file}: each line is written as its event happens, so the times only grow.`, {
      expected: `a time at or after ${String(lines[i - 1]!.value.time)}`,
      actual: context(lines, i),
    });
  }
}

/** The pace of rereading the log while waiting for a line; nothing waits on it for an outcome. */
const REREAD_MS = 20;

/**
 * Waits, within `withinMs`, until the event log's newest line matches `last` (the last event
 * the harness caused), and returns every line, oldest first. On time-out, says what was there.
 */
export async function waitForLastEvent(dataDir: string, last: ExpectedEvent, since: number, withinMs: number): Promise<LogLine[]> {
  let lines: LogLine[] = [];
  /** What was wrong with the log at the last reading (a line caught half-written is read again). */
  let unreadable: ScenarioFailure | undefined;
  let stopped = false;
  const settled = (async (): Promise<LogLine[]> => {
    for (;;) {
      if (stopped) throw new Error('no longer waited for');
      try {
        lines = readLog(dataDir, since);
        unreadable = undefined;
      } catch (err) {
        if (!(err instanceof ScenarioFailure)) throw err;
        unreadable = err;
      }
      if (!unreadable && lines.length > 0 && matches(lines.at(-1)!, last)) return lines;
      await new Promise((resolve) => setTimeout(resolve, REREAD_MS));
    }
  })();
  try {
    return await within(withinMs, `the event log to record ${describe(last)}`, settled);
  } catch (err) {
    if (!(err instanceof ScenarioFailure) || err.details.kind !== 'timeout') throw err;
    if (unreadable) throw unreadable;
    const none = logFiles(dataDir).length === 0;
    throw new ScenarioFailure(
      none
        ? `There is no ${LOG_FILE} in the data folder: the server must log every event, one JSON line each, in <--data folder>/${LOG_FILE}.`
        : `Within ${withinMs} ms, the event log did not record ${describe(last)}, the last event the harness caused (${last.cause}): each event is written as it happens.`,
      {
        kind: 'timeout',
        expected: describe(last),
        actual: none ? 'no file' : lines.slice(-6).map((line) => `${line.file}:${line.number}  ${line.text}`).join('\n') || '(an empty log)',
        wait: { awaited: `the event log to record ${describe(last)}`, withinMs },
      },
    );
  } finally {
    stopped = true;
    void settled.catch(() => {});
  }
}
