// A lean client of the finished room (labs 5 and 6: the secure channel, then JSON messages),
// for the hostile suite and the benchmarks: hundreds of connections at once, no transcript.
// The scenarios use SecureClient instead, which records every byte for the failure view.
//
// It checks the server's signature like any honest client, and keeps every message it
// receives, so a test can ask afterwards "did this client get everything meant for it?".

import net from 'node:net';
import { ScenarioFailure, within } from './failure.ts';
import { frame, splitFrames } from './frames.ts';
import { Direction, clientHello, finishHello, fingerprint, newEphemeral } from './secure-channel.ts';

export type RoomMessage = { type: string } & Record<string, unknown>;

/** The most names a `welcome` or a `who` lists; past it, `more` says how many others are here (docs/protocol.md, lab 3). */
export const MAX_LISTED_NAMES = 1000;
/** The largest room whose joins and leaves are announced, counting who comes or goes (docs/protocol.md, lab 6). */
export const MAX_ANNOUNCED_ROOM = 1000;

const DEFAULT_WAIT_MS = 3000;

export class RoomClient {
  /** Every message received after the handshake, in order. */
  readonly messages: RoomMessage[] = [];
  /** The server's identity fingerprint, once the handshake is done. */
  serverFingerprint = '';
  /**
   * Reads that ended in the middle of a frame. A server that writes each frame in one write
   * never causes one on loopback with small frames; one that writes the header and the body
   * separately does (weakness 13: with Nagle on, the body then waits for a delayed ACK).
   */
  partialReads = 0;
  /** Why the connection ended, if it has: "closed by the server", a socket error, a frame that did not open. */
  endedBecause: string | undefined;
  readonly closed: Promise<void>;
  /** How far `next()` has read in `messages`. */
  private cursor = 0;
  private pending: Buffer = Buffer.alloc(0);
  private sending: Direction | undefined;
  private receiving: Direction | undefined;
  private readonly ephemeral = newEphemeral();
  private readonly wake = new Set<() => void>();
  private readonly ready: Promise<void>;
  /** Set by ignoreTheRest(): bytes are still read, but nothing more is opened or kept. */
  private ignoring = false;

  private constructor(
    readonly socket: net.Socket,
    readonly label: string,
  ) {
    let handshakeDone!: () => void;
    let handshakeFailed!: (err: Error) => void;
    this.ready = new Promise((resolve, reject) => ((handshakeDone = resolve), (handshakeFailed = reject)));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      if (this.ignoring) return;
      try {
        if (this.onData(chunk)) handshakeDone();
      } catch (err) {
        this.endedBecause = (err as Error).message;
        handshakeFailed(err as Error);
        socket.destroy();
      }
      this.notify();
    });
    socket.on('error', (err) => (this.endedBecause ??= err.message));
    socket.on('close', () => {
      this.endedBecause ??= 'closed by the server';
      handshakeFailed(new Error(`${label}: the connection closed before the handshake was done (${this.endedBecause})`));
      this.notify();
    });
    void this.ready.catch(() => {}); // a failed handshake is reported by connect(), not as an unhandled rejection
  }

  /** Connects and makes the handshake, within a bound. */
  static async connect(host: string, port: number, label: string, withinMs = DEFAULT_WAIT_MS): Promise<RoomClient> {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const client = new RoomClient(socket, label);
    socket.once('connect', () => socket.write(frame(JSON.stringify(clientHello(client.ephemeral)))));
    try {
      await within(withinMs, `${label}'s connection and handshake with the room`, client.ready);
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return client;
  }

  /** Takes in bytes; returns true when they completed the handshake. Throws on anything a client must refuse. */
  private onData(chunk: Buffer): boolean {
    this.pending = Buffer.concat([this.pending, chunk]);
    const { bodies, rest } = splitFrames(this.pending);
    this.pending = Buffer.from(rest);
    if (rest.length > 0) this.partialReads++;
    let handshakeDone = false;
    for (const body of bodies) {
      if (!this.receiving) {
        const finished = finishHello(this.ephemeral, body);
        if (typeof finished === 'string') throw new Error(`${this.label}: ${finished}`);
        this.sending = new Direction(finished.keys.clientToServer);
        this.receiving = new Direction(finished.keys.serverToClient);
        this.serverFingerprint = fingerprint(finished.identity);
        handshakeDone = true;
        continue;
      }
      const plaintext = this.receiving.open(body);
      if (!plaintext) throw new Error(`${this.label}: a frame from the server did not open`);
      this.messages.push(JSON.parse(plaintext.toString('utf8')) as RoomMessage);
    }
    return handshakeDone;
  }

  private notify(): void {
    for (const wake of this.wake) wake();
  }

  get isClosed(): boolean {
    return this.socket.destroyed || this.endedBecause !== undefined;
  }

  /** The sealed frame of `message`, ready to write (and to write again, for a replay). */
  sealed(message: object | string): Buffer {
    if (!this.sending) throw new Error(`${this.label}: no channel yet`);
    return frame(this.sending.seal(Buffer.from(typeof message === 'string' ? message : JSON.stringify(message), 'utf8')));
  }

  send(message: object | string): void {
    this.socket.write(this.sealed(message));
  }

  /** Waits for the next message `matches` accepts (skipping the ones before it) and returns it. */
  async next(matches: (message: RoomMessage) => boolean, what: string, withinMs = DEFAULT_WAIT_MS): Promise<RoomMessage> {
    let wake = () => {};
    const found = new Promise<RoomMessage>((resolve, reject) => {
      wake = () => {
        while (this.cursor < this.messages.length) {
          const message = this.messages[this.cursor++]!;
          if (matches(message)) return resolve(message);
        }
        if (this.isClosed) reject(new ScenarioFailure(`${this.label}: the connection ended (${this.endedBecause}) before ${what} arrived.`, { kind: 'closed' }));
      };
      this.wake.add(wake);
      wake();
    });
    try {
      return await within(withinMs, `${what} (at ${this.label})`, found);
    } finally {
      this.wake.delete(wake);
    }
  }

  /** Registers `name` (a new account), answered by "registered". */
  async register(name: string, password: string, withinMs?: number): Promise<void> {
    this.send({ type: 'register', name, password });
    await this.expectAnswer('registered', `the answer to ${this.label}'s registration of "${name}"`, withinMs);
  }

  /** Logs in, answered by "welcome", which it returns. */
  async login(name: string, password: string, withinMs?: number): Promise<RoomMessage> {
    this.send({ type: 'login', name, password });
    return this.expectAnswer('welcome', `the answer to ${this.label}'s login as "${name}"`, withinMs);
  }

  /** The next answer (any message but notices and chat), which must be of `type`. */
  async expectAnswer(type: string, what: string, withinMs?: number): Promise<RoomMessage> {
    const answer = await this.next((message) => !['joined', 'left', 'chat'].includes(message.type), what, withinMs);
    if (answer.type !== type) throw new ScenarioFailure(`${what} was ${JSON.stringify(answer)}, not a "${type}".`, { kind: 'mismatch' });
    return answer;
  }

  /** Asks who is here and waits for the answer: everything sent to this client before it has arrived. */
  async roundTrip(withinMs?: number): Promise<string[]> {
    this.send({ type: 'who' });
    return (await this.expectAnswer('who', `the answer to ${this.label}'s "who"`, withinMs)).present as string[];
  }

  /** Chat lines received from `from`, in order. */
  chatFrom(from: string): string[] {
    return this.messages.filter((message) => message.type === 'chat' && message.from === from).map((message) => message.text as string);
  }

  /**
   * From now on, reads what arrives and throws it away unopened. A member of a crowd that only
   * listens: it keeps the server's queue for it empty, as an honest reader would, without
   * costing this process a decryption per message (a crowd of N hears N² notices).
   */
  ignoreTheRest(): void {
    this.ignoring = true;
    this.pending = Buffer.alloc(0);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
