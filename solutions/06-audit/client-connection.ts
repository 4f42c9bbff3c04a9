// Lab 6: the client's end of one connection to the room. Given complete.
//
// Three layers, as on the server: TCP carries bytes, frames (framing.ts) cut them into
// messages, the secure channel (channel.ts) seals every message after a handshake. This class
// hides all three behind what a chat program wants: `ready` once the server has proved which
// key it holds, `send(message)`, and `receive()`, the next message from the server.

import { EventEmitter, once } from 'node:events';
import net from 'node:net';
import { ChannelError, ClientHandshake, type SecureChannel } from './channel.ts';
import { encodeFrame, FrameDecoder, FrameError } from './framing.ts';
import { fingerprint } from './identity.ts';
import type { ClientMessage, ServerMessage } from './protocol.ts';

/** Why the connection could not be made, or could not go on: one sentence for the person. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** How long connecting and the handshake may take: a server that never answers must not hang us. */
const CONNECT_WITHIN_MS = 10_000;

export class RoomConnection {
  /** The server's identity ("SHA256:…"), known once `ready` has resolved. */
  fingerprint = '';
  /** Resolves once the handshake is done; rejects with a ConnectionError when it cannot be. */
  readonly ready: Promise<void>;
  /** Resolves once the connection is over, however it ended. */
  readonly closed: Promise<void>;

  private readonly socket: net.Socket;
  private readonly decoder = new FrameDecoder();
  private readonly handshake = new ClientHandshake();
  private channel: SecureChannel | undefined;
  /** Messages received and not yet taken by receive(). */
  private readonly inbox: ServerMessage[] = [];
  /** How it ended: 'closed' when the server hung up after a good handshake, or what went wrong. */
  private end: 'closed' | ConnectionError | undefined;
  /** Emits 'change' when a message arrived or the connection ended: wakes `ready` and receive(). */
  private readonly events = new EventEmitter();

  constructor(
    private readonly host: string,
    port: number,
    /** "host:port", for the messages. */
    private readonly address: string,
  ) {
    // autoSelectFamily: "localhost" may resolve to ::1 and to 127.0.0.1; try both, as browsers do.
    this.socket = net.connect({ host, port, autoSelectFamily: true });
    this.socket.setNoDelay(true); // small messages, typed by people: send each at once
    this.socket.setTimeout(CONNECT_WITHIN_MS, () => this.fail(`no answer from ${address} within ${CONNECT_WITHIN_MS / 1000} s`));
    this.socket.on('connect', () => this.socket.write(encodeFrame(this.handshake.hello)));
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(this.explain(err)));
    this.socket.on('close', () => {
      this.end ??= this.channel ? 'closed' : new ConnectionError(`${address} closed the connection during the handshake (is it a socketlab room?)`);
      this.events.emit('change');
    });
    this.ready = this.handshakeDone();
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  private async handshakeDone(): Promise<void> {
    while (!this.channel) {
      if (this.end instanceof ConnectionError) throw this.end;
      await once(this.events, 'change');
    }
  }

  /** Seals one message and sends it. Does nothing once the connection is closing. */
  send(message: ClientMessage): void {
    if (!this.channel || !this.socket.writable) return;
    this.socket.write(encodeFrame(this.channel.seal(Buffer.from(JSON.stringify(message), 'utf8'))));
  }

  /**
   * The next message from the server, waiting for it if need be. Undefined once the server
   * has closed the connection (and every message before that was taken); a ConnectionError
   * when the connection broke.
   */
  async receive(): Promise<ServerMessage | undefined> {
    while (this.inbox.length === 0 && this.end === undefined) await once(this.events, 'change');
    const message = this.inbox.shift();
    if (message) return message;
    if (this.end instanceof ConnectionError) throw this.end;
    return undefined;
  }

  /** Sends `message`, then waits for the answer (during login, nothing else comes). */
  async request(message: ClientMessage): Promise<ServerMessage> {
    this.send(message);
    const answer = await this.receive();
    if (!answer) throw new ConnectionError(`${this.address} closed the connection`);
    return answer;
  }

  /** Leaves politely: no more from us (a FIN); the server closes its side, then `closed` resolves. */
  leave(): void {
    this.socket.end();
  }

  /** Hangs up at once, sending nothing more: for a server we do not trust. */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    try {
      for (const body of this.decoder.push(chunk)) {
        if (this.channel) this.inbox.push(parseServerMessage(this.channel.open(body)));
        else this.finishHandshake(body);
      }
    } catch (err) {
      if (err instanceof FrameError) return this.fail(`${this.address} does not speak the socketlab protocol (${err.message})`);
      if (err instanceof ChannelError) return this.fail(this.channel ? `the secure channel broke: ${err.message}` : `the handshake failed: ${err.message}`);
      if (err instanceof ConnectionError) return this.fail(err.message);
      throw err;
    }
    this.events.emit('change');
  }

  /** The server's hello: its signature must match this handshake (channel.ts checks it). */
  private finishHandshake(body: Buffer): void {
    const { channel, identity } = this.handshake.finish(body);
    this.channel = channel;
    this.fingerprint = fingerprint(identity);
    this.socket.setTimeout(0); // connected: from now on, quiet is normal
  }

  private fail(why: string): void {
    if (this.end === undefined) this.end = new ConnectionError(why);
    this.socket.destroy();
    this.events.emit('change');
  }

  /** A socket error, in words: what the user can check or do about it. */
  private explain(err: NodeJS.ErrnoException): string {
    // With autoSelectFamily, a failure of every address comes as one AggregateError.
    const code = err.code ?? ((err as unknown as AggregateError).errors?.[0] as NodeJS.ErrnoException | undefined)?.code;
    switch (code) {
      case 'ENOTFOUND':
        return `the host name "${this.host}" does not resolve (is it spelled right?)`;
      case 'EAI_AGAIN':
        return `could not look up "${this.host}": no name server answered`;
      case 'ECONNREFUSED':
        return `nothing accepts connections at ${this.address} (is the server running, on that port?)`;
      case 'ECONNRESET':
        return `${this.address} reset the connection`;
      case 'ETIMEDOUT':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return `${this.address} cannot be reached (${code})`;
      default:
        return `connection to ${this.address} failed: ${err.message}`;
    }
  }
}

/** A sealed frame opened: it must be a JSON object with a "type", or the server is not one we understand. */
function parseServerMessage(plaintext: Buffer): ServerMessage {
  let message: unknown;
  try {
    message = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new ConnectionError('the server sent a message that is not JSON');
  }
  if (typeof message !== 'object' || message === null || typeof (message as { type?: unknown }).type !== 'string') {
    throw new ConnectionError('the server sent a message without a "type"');
  }
  return message as ServerMessage;
}
