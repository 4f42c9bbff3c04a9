// The harness's side of a conversation: a real TCP client that records everything it
// sends and receives, can inject faults on purpose (split writes, coalesced writes,
// half-close, reset, not reading), and waits for bytes or a close with a bound.

import net from 'node:net';
import { EventEmitter, once } from 'node:events';
import { diffBytes, preview } from './bytes.ts';
import { ScenarioFailure, within } from './failure.ts';
import { FRAME_HEADER_BYTES, FRAME_LIMIT, frame } from './frames.ts';
import type { ConnectionLog, Transcript } from './transcript.ts';

/** Loopback answers in microseconds; this bound leaves room for a loaded machine. */
export const DEFAULT_WAIT_MS = 1500;

export interface ConnectOptions {
  host: string;
  port: number;
  transcript: Transcript;
  label?: string;
  view?: 'bytes' | 'frames';
  withinMs?: number;
}

type Data = string | Uint8Array;
const toBytes = (data: Data): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data));

export class TestClient {
  /** Bytes received and not yet consumed by an expectation. */
  private inbox: Buffer = Buffer.alloc(0);
  /** Bytes consumed by earlier expectations: offsets in messages count from the stream's start. */
  private consumed = 0;
  private peerEnded = false;
  private closed = false;
  private error: NodeJS.ErrnoException | undefined;
  private readonly changes = new EventEmitter();

  private constructor(
    readonly socket: net.Socket,
    readonly log: ConnectionLog,
  ) {
    socket.on('data', (chunk: Buffer) => {
      log.bytes('received', chunk);
      this.inbox = this.inbox.length === 0 ? chunk : Buffer.concat([this.inbox, chunk]);
      this.changes.emit('change');
    });
    socket.on('end', () => {
      this.peerEnded = true;
      log.add('peer-ended', 'the program closed its side (FIN)');
      this.changes.emit('change');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error = err;
      log.add('error', `${err.code ?? ''} ${err.message}`.trim());
      this.changes.emit('change');
    });
    socket.on('close', () => {
      this.closed = true;
      log.add('closed', 'connection closed');
      this.changes.emit('change');
    });
  }

  /** Connects within a bound; a refusal becomes a failure with a hint-able code. */
  static async connect(options: ConnectOptions): Promise<TestClient> {
    const log = options.transcript.open(options.label, options.view);
    const socket = net.connect({ host: options.host, port: options.port, allowHalfOpen: true });
    socket.setNoDelay(true);
    const client = new TestClient(socket, log);
    const ms = options.withinMs ?? DEFAULT_WAIT_MS;
    try {
      await within(ms, `a connection to ${options.host}:${options.port}`, once(socket, 'connect'));
    } catch (err) {
      socket.destroy();
      const code = (err as NodeJS.ErrnoException).code;
      if (code) throw new ScenarioFailure(`Could not connect to ${options.host}:${options.port} (${code}).`, { kind: 'refused', code });
      throw err;
    }
    log.add('connected', `connected to ${options.host}:${options.port}`);
    return client;
  }

  get label(): string {
    return this.log.record.label;
  }

  /** Bytes received so far that no expectation has consumed. */
  get pending(): Buffer {
    return this.inbox;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // ---- sending -------------------------------------------------------------------------

  /** Sends `data` in one write and waits until the kernel has taken it. */
  async send(data: Data, note?: string): Promise<void> {
    const bytes = toBytes(data);
    this.log.bytes('sent', bytes, note);
    await this.write(bytes);
  }

  /**
   * Sends `data` as several writes of the given sizes, pausing between them so they
   * arrive as separate TCP segments: the program must not assume one read = one message.
   */
  async sendSplit(data: Data, sizes: number[], pauseMs = 5): Promise<void> {
    const bytes = toBytes(data);
    const pieces: Buffer[] = [];
    let at = 0;
    for (const size of sizes) {
      if (at >= bytes.length) break;
      pieces.push(bytes.subarray(at, at + size));
      at += size;
    }
    if (at < bytes.length) pieces.push(bytes.subarray(at));
    this.log.add('fault', `the next ${bytes.length} bytes are sent as ${pieces.length} separate writes (${pieces.map((p) => p.length).join(' + ')} bytes), ${pauseMs} ms apart`);
    for (const [i, piece] of pieces.entries()) {
      if (i > 0) await delay(pauseMs);
      this.log.bytes('sent', piece);
      await this.write(piece);
    }
  }

  /** Sends several messages glued into one write: the program must split them itself. */
  async sendCoalesced(messages: Data[]): Promise<void> {
    const bytes = Buffer.concat(messages.map(toBytes));
    this.log.add('fault', `${messages.length} messages coalesced into one write of ${bytes.length} bytes`);
    this.log.bytes('sent', bytes);
    await this.write(bytes);
  }

  private write(bytes: Buffer): Promise<void> {
    return within(
      DEFAULT_WAIT_MS * 5,
      `the program to accept ${bytes.length} bytes (is it reading?)`,
      new Promise<void>((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(this.sendFailure(err, bytes.length)) : resolve()))),
    );
  }

  /** A write refused because the program closed or reset the connection is the program's doing, not a harness bug. */
  private sendFailure(err: NodeJS.ErrnoException, size: number): Error {
    const peerGone = ['EPIPE', 'ECONNRESET', 'ECONNABORTED'].includes(err.code ?? '') || (err.code === 'ERR_STREAM_DESTROYED' && (this.peerEnded || this.error !== undefined));
    if (!peerGone) return err;
    const code = this.error?.code ?? err.code!;
    return new ScenarioFailure(`The harness could not send ${size} bytes: your program had already closed the connection (${code}).`, { kind: 'closed', code });
  }

  /** Sends one frame (4-byte length + body) in one write. Objects are sent as JSON. */
  async sendFrame(body: Data | object, note?: string): Promise<void> {
    await this.send(frame(typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)), note);
  }

  /** Half-close: sends FIN, keeps reading. The program should finish and close its side. */
  halfClose(): void {
    this.log.add('half-closed', 'the harness closed its sending side (FIN) and keeps reading');
    this.socket.end();
  }

  /** Abrupt close: the program sees ECONNRESET. */
  reset(): void {
    this.log.add('reset', 'the harness reset the connection abruptly (RST)');
    this.socket.resetAndDestroy();
  }

  /** Stops reading, so the program's writes pile up in the kernel and then in its own buffers. */
  stopReading(): void {
    this.log.add('fault', 'the harness stops reading from this connection');
    this.socket.pause();
  }

  /** Quiet cleanup at the end of a scenario; not recorded. */
  destroy(): void {
    this.socket.destroy();
  }

  // ---- waiting -------------------------------------------------------------------------

  /**
   * Waits until `ready()` holds, re-checking whenever something arrives or the socket
   * closes. On time-out the failure says what was awaited and what the socket looked like.
   */
  private async waitUntil(ready: () => boolean, awaited: string, ms: number): Promise<void> {
    if (ready()) return;
    await new Promise<void>((resolve, reject) => {
      const onChange = () => {
        if (!ready()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new ScenarioFailure(`Timed out after ${ms} ms waiting for ${awaited}.`, {
            kind: 'timeout',
            wait: { awaited, withinMs: ms, receivedBytes: this.inbox.length, socketOpen: !this.closed && !this.peerEnded },
          }),
        );
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.changes.off('change', onChange);
      };
      this.changes.on('change', onChange);
    });
  }

  /** Takes `n` bytes from the inbox once they are there (or the stream ended). */
  private async take(n: number, awaited: string, ms: number): Promise<Buffer> {
    await this.waitUntil(() => this.inbox.length >= n || this.peerEnded || this.closed, awaited, ms);
    const got = this.inbox.subarray(0, n);
    this.inbox = this.inbox.subarray(got.length);
    this.consumed += got.length;
    return got;
  }

  /**
   * Expects exactly these bytes next. A difference is reported with the offset of the
   * first wrong byte; a short answer followed by a close is reported as such.
   */
  async expectBytes(expected: Data, options: { withinMs?: number; what?: string } = {}): Promise<void> {
    const want = toBytes(expected);
    const what = options.what ?? `${want.length} bytes back (${preview(want, 24)})`;
    const start = this.consumed;
    const got = await this.take(want.length, what, options.withinMs ?? DEFAULT_WAIT_MS);
    const diff = diffBytes(want, got);
    if (!diff) return;
    const offset = start + diff.offset;
    const message =
      got.length < want.length
        ? `Expected ${want.length} bytes, but the connection ${this.error ? `failed (${this.error.code})` : 'was closed'} after ${got.length} of them.`
        : `The byte at offset ${offset} is wrong.`;
    const details = { expected: preview(want), actual: preview(got), diff: { ...diff, offset } };
    if (got.length < want.length) {
      // A short answer is explained by the close; a byte diff against nothing would only be noise.
      const short = got.length === 0 ? { expected: preview(want), actual: 'nothing' } : details;
      throw new ScenarioFailure(message, { kind: 'closed', ...short, ...(this.error?.code ? { code: this.error.code } : {}) });
    }
    throw new ScenarioFailure(message, { kind: 'mismatch', ...details });
  }

  /** Expects the program to close its side (FIN or full close) within a bound, with nothing more sent. */
  async expectClose(options: { withinMs?: number; what?: string } = {}): Promise<void> {
    const what = options.what ?? 'the program to close the connection';
    await this.waitUntil(() => this.peerEnded || this.closed, what, options.withinMs ?? DEFAULT_WAIT_MS);
    if (this.inbox.length > 0) {
      throw new ScenarioFailure(`The program sent ${this.inbox.length} unexpected bytes before closing.`, {
        kind: 'mismatch',
        expected: 'nothing more',
        actual: preview(this.inbox),
      });
    }
  }

  /** Waits for the next line (up to and including "\n") and returns it without the "\n". */
  async expectLine(options: { withinMs?: number; what?: string } = {}): Promise<string> {
    const what = options.what ?? 'a line of text ending in "\\n"';
    await this.waitUntil(() => this.inbox.includes(0x0a) || this.peerEnded || this.closed, what, options.withinMs ?? DEFAULT_WAIT_MS);
    const end = this.inbox.indexOf(0x0a);
    if (end < 0) {
      throw new ScenarioFailure(`The connection closed before a whole line arrived.`, { kind: 'closed', expected: what, actual: preview(this.inbox) });
    }
    const line = this.inbox.subarray(0, end + 1);
    this.inbox = this.inbox.subarray(end + 1);
    this.consumed += line.length;
    return line.subarray(0, end).toString('utf8');
  }

  /** Waits until at least `n` bytes have arrived in total, without checking them. */
  async expectAtLeast(n: number, options: { withinMs?: number; what?: string } = {}): Promise<Buffer> {
    return this.take(n, options.what ?? `${n} bytes`, options.withinMs ?? DEFAULT_WAIT_MS);
  }

  // ---- frames (lab 2 on: docs/protocol.md) ----------------------------------------------

  /**
   * Waits for the next whole frame and returns its body. A header announcing more than the
   * frame limit is reported at once (the harness never waits for a body it would refuse).
   */
  async expectFrame(options: FrameWaitOptions = {}): Promise<Buffer> {
    const what = options.what ?? 'a frame from the program';
    const ms = options.withinMs ?? DEFAULT_WAIT_MS;
    const header = await this.expectAtLeast(FRAME_HEADER_BYTES, { withinMs: ms, what: `the 4-byte header of ${what}` });
    if (header.length < FRAME_HEADER_BYTES) {
      throw new ScenarioFailure(`The connection closed while waiting for ${what}.`, { kind: 'closed', expected: what, actual: `${header.length} bytes, then the close` });
    }
    const length = header.readUInt32BE(0);
    if (length > FRAME_LIMIT) {
      throw new ScenarioFailure(`The program sent a frame header announcing ${length} bytes, over the ${FRAME_LIMIT}-byte limit.`, {
        kind: 'mismatch',
        expected: `a length of at most ${FRAME_LIMIT}`,
        actual: `${length}`,
      });
    }
    const body = await this.expectAtLeast(length, { withinMs: ms, what: `the ${length}-byte body of ${what}` });
    if (body.length < length) {
      throw new ScenarioFailure(`The connection closed after ${body.length} of the ${length} body bytes of ${what}.`, { kind: 'closed' });
    }
    return body;
  }

  /** Waits for the next frame and parses its body as UTF-8 JSON. */
  async expectJson<T = unknown>(options: FrameWaitOptions = {}): Promise<T> {
    return parseJsonBody<T>(await this.expectFrame(options), 'The program sent a frame whose body is not valid JSON.');
  }
}

export interface FrameWaitOptions {
  withinMs?: number;
  what?: string;
}

/** Parses a frame's bytes as UTF-8 JSON, or fails the scenario with `complaint`. */
export function parseJsonBody<T>(bytes: Buffer, complaint: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new ScenarioFailure(complaint, { kind: 'mismatch', expected: 'a JSON object', actual: preview(bytes) });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
