// The two-way record of a scenario: every connection the harness opened, every write it
// made and every chunk it read, with the time since the scenario began, and the faults it
// injected on purpose. A failure report shows it so the learner sees the conversation.

/** Bytes kept per event: enough for a preview and for decoding frames, never megabytes. */
const KEPT_BYTES = 4096;

export type WireEventKind =
  | 'connected'
  | 'sent' // one write by the harness
  | 'received' // one 'data' chunk read by the harness
  | 'fault' // something the harness did on purpose, labelled
  | 'half-closed' // the harness called end(): FIN sent, still reading
  | 'peer-ended' // the program's FIN arrived: it will send nothing more
  | 'reset' // the harness destroyed the socket abruptly (RST)
  | 'closed' // the socket is fully closed
  | 'error' // a socket error, with its code
  | 'note'; // what the harness learned along the way (lab 5: the handshake is done, the server's key)

export interface WireEvent {
  /** Milliseconds since the scenario began. */
  at: number;
  kind: WireEventKind;
  /** Full size of a write or read, even when only the first bytes are kept. */
  size?: number;
  /** The first bytes, base64 (the record travels as JSON between processes). */
  bytes?: string;
  note?: string;
}

export interface ConnectionRecord {
  label: string;
  /** How the failure view should show this connection's bytes ('frames' from lab 2 on). */
  view: 'bytes' | 'frames';
  events: WireEvent[];
  /**
   * Lab 5: what the sealed frames of a secure channel carried, as the harness sealed or opened
   * them with its session keys, so the frames view shows each ciphertext beside its plaintext.
   */
  sealed?: SealedFrame[];
}

/** One frame of a secure channel (lab 5), in plaintext. */
export interface SealedFrame {
  direction: 'sent' | 'received';
  /** The frame's number in that direction, counted from 1 as the frames view counts (the hello is #1). */
  frame: number;
  /** The plaintext's first bytes, base64, and its full size. */
  plaintext?: string;
  size?: number;
  /** What else the harness knows: "a replay of frame #3", "does not open with the session keys". */
  note?: string;
}

export class Transcript {
  readonly startedAt = performance.now();
  readonly connections: ConnectionRecord[] = [];

  elapsed(): number {
    return Math.round((performance.now() - this.startedAt) * 10) / 10;
  }

  /** Opens the record of one connection; labels are numbered when not given. */
  open(label?: string, view: ConnectionRecord['view'] = 'bytes'): ConnectionLog {
    const record: ConnectionRecord = { label: label ?? `client ${this.connections.length + 1}`, view, events: [] };
    this.connections.push(record);
    return new ConnectionLog(this, record);
  }

  toJSON(): ConnectionRecord[] {
    return this.connections;
  }
}

/** The writing side of one connection's record. */
export class ConnectionLog {
  constructor(
    private readonly transcript: Transcript,
    readonly record: ConnectionRecord,
  ) {}

  add(kind: WireEventKind, note?: string): void {
    this.record.events.push({ at: this.transcript.elapsed(), kind, ...(note ? { note } : {}) });
  }

  /** Records what sealed frame #`frame` of one direction carried (its plaintext), or why it has none. */
  sealed(direction: SealedFrame['direction'], frame: number, plaintext?: Uint8Array, note?: string): void {
    const kept = plaintext && Buffer.from(plaintext.buffer, plaintext.byteOffset, Math.min(plaintext.length, KEPT_BYTES));
    (this.record.sealed ??= []).push({
      direction,
      frame,
      ...(plaintext ? { plaintext: kept!.toString('base64'), size: plaintext.length } : {}),
      ...(note ? { note } : {}),
    });
  }

  bytes(kind: 'sent' | 'received', data: Uint8Array, note?: string): void {
    const kept = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, KEPT_BYTES));
    this.record.events.push({
      at: this.transcript.elapsed(),
      kind,
      size: data.length,
      bytes: kept.toString('base64'),
      ...(note ? { note } : {}),
    });
  }
}

/** Decodes the kept bytes of an event. */
export function eventBytes(event: WireEvent): Buffer {
  return Buffer.from(event.bytes ?? '', 'base64');
}
