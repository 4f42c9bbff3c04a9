// Lab 6: the event log, one JSON object per line. This file is yours.
//
// The original room's log was free text, with the chat in it. Here each line is one event with
// its time, in a fixed shape a program can read back:
//   {"time":"2026-11-24T15:04:05.123Z","event":"login","address":"127.0.0.1:53712","name":"alice"}
// The events and their fields: docs/protocol.md, "The event log". Never anything secret in it:
// a name, an address, a reason, a code, but no password, hash, key or message text.
//
// What the log promises (npm run docs 6, "A log an operator can trust"):
// - its lines are in the order things happened, each one complete: a crash never leaves half
//   a line, and the file never ends in the middle of one;
// - it never grows past maxBytes: before a line would take events.log past it, the files are
//   rotated (events.log → events.log.1 → events.log.2 …), and at most `files` are kept in all;
// - a log that cannot be written never stops the server: it says so on stderr, and goes on.

/** The fields an event may carry: plain facts, no secrets. (A field that is undefined is left out.) */
export type EventFields = Record<string, string | number | undefined>;

export class EventLog {
  // TODO: what you need to append to the file, and to know its size without asking the disk.

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    /** How many files in all: events.log and events.log.1 … events.log.(files - 1). */
    private readonly files: number,
  ) {
    // TODO: open `file` for appending (create its folder if needed), and note how big it is.
  }

  /** Appends one event, with the time it happened. */
  write(event: string, fields: EventFields = {}): void {
    // TODO: one JSON object per line: "time" (ISO 8601, UTC), "event", then the fields.
    // TODO: if that line would take the file past maxBytes, rotate the files first.
    // TODO: the line must be complete in the file before write() returns.
  }

  /** Closes the file: at shutdown, after the last event. */
  close(): void {
    // TODO
  }
}
