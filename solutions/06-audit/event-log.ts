// Lab 6 (reference solution): the event log, one JSON object per line.
//
// The original room's log was free text, with the chat in it. Here each line is one event with
// its time, in a fixed shape a program can read back (docs/protocol.md, "The event log"), and
// never anything secret: a name, an address, a reason, a code, but no password, hash, key or
// message text. The caller only ever passes such fields.
//
// Lines are written with writeSync: each one is complete in the file before the server does
// anything else, so the log's order is the order things happened, and a crash never leaves half
// a line. When a line would take the file past its limit, the files are rotated first:
// events.log.3 → events.log.4, …, events.log → events.log.1, and the oldest is dropped.

import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** The fields an event may carry: plain facts, no secrets. */
export type EventFields = Record<string, string | number | undefined>;

export class EventLog {
  private fd: number;
  private size: number;
  /** Set after a failed write: the log says so once on stderr, not at every event. */
  private failing = false;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
    /** How many files in all: events.log and events.log.1 … events.log.(files - 1). */
    private readonly files: number,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a');
    this.size = fstatSync(this.fd).size;
  }

  /** Appends one event. A log that cannot be written never stops the server: it says so and goes on. */
  write(event: string, fields: EventFields = {}): void {
    const line = JSON.stringify({ time: new Date().toISOString(), event, ...fields }) + '\n';
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      writeSync(this.fd, line);
      this.size += bytes;
      this.failing = false;
    } catch (err) {
      if (!this.failing) console.error(`cannot write the event log ${this.file}: ${(err as Error).message}`);
      this.failing = true;
    }
  }

  /** Shifts every file one number up, dropping the oldest, and starts an empty events.log. */
  private rotate(): void {
    const name = (n: number) => (n === 0 ? this.file : `${this.file}.${n}`);
    closeSync(this.fd);
    try {
      rmSync(name(this.files - 1), { force: true });
      for (let n = this.files - 2; n >= 0; n--) {
        if (existsSync(name(n))) renameSync(name(n), name(n + 1));
      }
    } finally {
      // Whatever happened, the log goes on in a file that is open.
      this.fd = openSync(this.file, 'a');
      this.size = fstatSync(this.fd).size;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
