// One simulated user of a server under test: a TCP connection that, depending on the server,
// makes the secure channel's handshake (with the harness's own implementation of the client
// side, harness/kit/secure-channel.ts), logs in or joins, then sends chat lines and counts
// what it receives. Until it is in the room it reads every message (the stages wait for
// answers); once in, it counts frames and opens only those its generator asks it to, so that
// the generators spend their CPU on load, not on reading everything the room sends.

import net from 'node:net';
import { within } from '../../kit/failure.ts';
import { clientHello, finishHello, newEphemeral, open, seal } from '../../kit/secure-channel.ts';
import { MAX_ANNOUNCED_ROOM } from '../../kit/room-client.ts';
import type { WireProtocol } from '../servers-under-test.ts';
import { FrameReader, frameOf } from './frame-reader.ts';
import type { ClientSpec } from './messages.ts';

/** What the generator does with what its clients receive once they are in the room. */
export interface ReceiveSink {
  /** Whether `client` should open the chat frame it has just counted. */
  shouldOpen(client: LoadClient): boolean;
  /** An opened frame's plaintext (JSON text). */
  opened(client: LoadClient, plaintext: Buffer): void;
  /** A frame arrived while the generator waits for something (settling, draining). */
  progressed(): void;
  closed(client: LoadClient, reason: string): void;
}

export class LoadClient {
  socket!: net.Socket;
  private readonly reader = new FrameReader();
  private sendKey: Buffer | undefined;
  private receiveKey: Buffer | undefined;
  private sendCounter = 0;
  private receiveCounter = 0;
  /** Bodies (opened, when the channel is up) received before the client entered the room. */
  private readonly inbox: Buffer[] = [];
  private wake: (() => void) | undefined;
  /** Counting mode: in the room, every frame is a joined notice (the first `expectedJoins`) or a chat. */
  inRoom = false;
  expectedJoins = 0;
  joinsSeen = 0;
  /** Chat frames counted since it entered the room. */
  chats = 0;
  /** Messages sent since the setup; the next message's sequence number. */
  sent = 0;
  /** With verify: each sender's last sequence number seen. */
  readonly lastSeq = new Map<string, number>();
  closed = false;
  private closingByUs = false;
  private lastError = '';

  constructor(
    readonly spec: ClientSpec,
    private readonly protocol: WireProtocol,
    private readonly sink: ReceiveSink,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  connect(host: string, port: number, withinMs: number): Promise<void> {
    const socket = net.connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.push(chunk, (body) => this.onBody(body));
      } catch (err) {
        this.lastError = (err as Error).message;
        socket.destroy();
      }
      this.sink.progressed();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (this.lastError = err.code ?? err.message));
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
      if (!this.closingByUs) this.sink.closed(this, this.lastError || 'the server closed the connection');
    });
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('close', () => reject(new Error(`connection of ${this.name} failed: ${this.lastError || 'closed'}`)));
    });
    return within(withinMs, `the TCP connection of ${this.name} to be accepted`, connected).then(() => {
      // A ceiling client is in the "room" as soon as it is connected: nobody joins there.
      if (this.protocol === 'ceiling') this.inRoom = true;
    });
  }

  // ---- the stages before the load --------------------------------------------------------------

  /** The secure channel's handshake, checked as a client must (the signature over both keys). */
  async handshake(withinMs: number): Promise<void> {
    if (this.protocol !== 'room') return;
    const ephemeral = newEphemeral();
    this.socket.write(frameOf(Buffer.from(JSON.stringify(clientHello(ephemeral)))));
    const body = await this.next(`the server's hello in answer to ${this.name}'s hello`, withinMs);
    const finished = finishHello(ephemeral, body);
    if (typeof finished === 'string') throw new Error(`${this.name}: ${finished}`);
    const { keys } = finished;
    this.sendKey = keys.clientToServer;
    this.receiveKey = keys.serverToClient;
  }

  /** Logs in (room) or joins (lab 3); `fleetEntering` clients enter in all, so the welcome says how many joined notices follow. */
  async enter(password: string, fleetEntering: number, withinMs: number): Promise<void> {
    if (this.protocol === 'ceiling') return;
    const request = this.protocol === 'room' ? { type: 'login', name: this.name, password } : { type: 'join', name: this.name };
    this.sendMessage(request);
    const reply = await this.nextJson(`the welcome in answer to ${this.name}'s ${request.type}`, withinMs);
    if (reply.type !== 'welcome' || !Array.isArray(reply.present)) throw new Error(`${this.name}'s ${request.type} was answered with ${JSON.stringify(reply).slice(0, 200)}`);
    this.inRoom = true;
    // Everyone who enters after this client, while the room is small enough for joins to be announced.
    const members = reply.present.length + (typeof reply.more === 'number' ? reply.more : 0);
    this.expectedJoins = Math.max(0, Math.min(fleetEntering, MAX_ANNOUNCED_ROOM) - members);
    // Frames that came with the welcome (already opened) are joined notices of later arrivals.
    this.joinsSeen = this.inbox.splice(0).length;
  }

  /** Registers a new account through the room and waits for its acknowledgement. */
  async register(name: string, password: string, withinMs: number): Promise<void> {
    this.sendMessage({ type: 'register', name, password });
    const reply = await this.nextJson(`the answer to the registration of ${name}`, withinMs);
    if (reply.type !== 'registered') throw new Error(`the registration of ${name} was answered with ${JSON.stringify(reply).slice(0, 200)}`);
  }

  get settled(): boolean {
    return this.joinsSeen >= this.expectedJoins;
  }

  // ---- sending ----------------------------------------------------------------------------------

  sendMessage(message: object): void {
    this.sendText(JSON.stringify(message));
  }

  /** One message, sealed when the channel is up, in one write. */
  sendText(json: string): void {
    const plaintext = Buffer.from(json, 'utf8');
    this.socket.write(frameOf(this.sendKey ? seal(this.sendKey, this.sendCounter++, plaintext) : plaintext));
  }

  close(): void {
    this.closingByUs = true;
    this.socket?.destroy();
  }

  // ---- receiving --------------------------------------------------------------------------------

  private onBody(body: Buffer): void {
    if (!this.inRoom) {
      this.inbox.push(this.receiveKey ? this.openOrFail(body) : Buffer.from(body));
      this.wake?.();
      return;
    }
    if (this.joinsSeen < this.expectedJoins) {
      this.joinsSeen++;
      this.skip();
      return;
    }
    this.chats++;
    if (this.sink.shouldOpen(this)) this.sink.opened(this, this.openOrFail(body));
    else this.skip();
  }

  /** The channel's counter moves on with every frame, opened or not (docs/protocol.md: the nonce is the frame's number). */
  private skip(): void {
    if (this.receiveKey) this.receiveCounter++;
  }

  private openOrFail(body: Buffer): Buffer {
    if (!this.receiveKey) return body;
    const plaintext = open(this.receiveKey, this.receiveCounter++, body);
    // A frame that does not open means the count went wrong: better an empty message than a crash.
    return plaintext ?? Buffer.from('{"type":"unopenable"}');
  }

  private async next(awaited: string, withinMs: number): Promise<Buffer> {
    const arrived = new Promise<Buffer>((resolve, reject) => {
      const check = () => {
        const body = this.inbox.shift();
        if (body) resolve(body);
        else if (this.closed) reject(new Error(`the server closed the connection of ${this.name} while the client waited for ${awaited} (${this.lastError || 'no error'})`));
        else return;
        this.wake = undefined;
      };
      this.wake = check;
      check();
    });
    try {
      return await within(withinMs, awaited, arrived);
    } finally {
      this.wake = undefined;
    }
  }

  private async nextJson(awaited: string, withinMs: number): Promise<Record<string, unknown>> {
    const body = await this.next(awaited, withinMs);
    try {
      return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new Error(`${awaited}: the server sent something that is not JSON: ${body.toString('utf8').slice(0, 120)}`);
    }
  }
}
