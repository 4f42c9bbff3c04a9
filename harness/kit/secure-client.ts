// The harness's client of the secure channel (lab 5): a recording TestClient that makes the
// handshake with the learner's server, checks every field of the server's hello and its
// signature, then seals what it sends and opens what it receives, with the counters of
// docs/protocol.md. It keeps its frames' plaintexts in the transcript, so a failure shows what
// each ciphertext carried, and it can hand out sealed frames for replays and tampering.
//
// Its sending and receiving methods have the names and shapes of TestClient's frame methods
// (sendFrame, expectFrame, expectJson), so message-level helpers can run over either.

import { preview } from './bytes.ts';
import { parseJsonBody, type FrameWaitOptions, type TestClient } from './client.ts';
import { ScenarioFailure, check } from './failure.ts';
import { frame, splitFrames } from './frames.ts';
import { explainUnopenable } from './seal-diagnosis.ts';
import {
  Direction,
  MAX_PLAINTEXT_BYTES,
  clientHello,
  deriveSessionKeys,
  fingerprint,
  handshakeTranscript,
  newEphemeral,
  parseHello,
  sharedSecret,
  verifySignature,
  type SessionKeys,
} from './secure-channel.ts';
import type { ScenarioContext } from './scenario.ts';

type Body = string | Uint8Array | object;
const toPlaintext = (body: Body): Buffer =>
  typeof body === 'string' ? Buffer.from(body, 'utf8') : body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(JSON.stringify(body), 'utf8');

/** What the server proved in its hello. */
export interface ServerIdentity {
  /** The raw 32-byte Ed25519 public key. */
  key: Buffer;
  fingerprint: string;
}

export class SecureClient {
  private sending!: Direction;
  private receiving!: Direction;
  /** Frames on the wire per direction, the hellos included: the frames view's numbering. */
  private framesSent = 0;
  private framesReceived = 0;
  keys!: SessionKeys;
  identity!: ServerIdentity;
  /** The server's ephemeral X25519 key for this connection (fresh for every connection). */
  serverKey!: Buffer;
  /** Every byte received on this connection, in full (the transcript keeps only the start of each read). */
  readonly received: Buffer[] = [];
  /** Milliseconds from sending the hello to having the session keys. */
  handshakeMs = 0;

  private constructor(
    readonly wire: TestClient,
    /** Who this client is in failure messages. */
    public who: string,
  ) {
    wire.socket.on('data', (chunk: Buffer) => this.received.push(chunk));
  }

  /** Connects and makes the handshake; every failure of the server's side is explained. */
  static async connect(connect: ScenarioContext['connect'], label: string): Promise<SecureClient> {
    const client = new SecureClient(await connect(label, { view: 'frames' }), label);
    await client.handshake();
    return client;
  }

  get log() {
    return this.wire.log;
  }

  private async handshake(): Promise<void> {
    const started = performance.now();
    const ephemeral = newEphemeral();
    await this.wire.send(frame(JSON.stringify(clientHello(ephemeral))), 'the client hello: a fresh X25519 public key');
    this.framesSent++;
    const body = await this.wire.expectFrame({ what: `the server's hello in answer to ${this.who}'s hello` });
    this.framesReceived++;
    const hello = parseHello(body, true);
    if (typeof hello === 'string') {
      // A server without a handshake answers the hello like any message: an error, in the clear.
      const asMessage = hello.includes('"error"') ? ' It treated the hello as an ordinary message, in the clear: the first frame must start the handshake.' : '';
      throw new ScenarioFailure(`The server answered ${this.who}'s hello with a frame that is not a server hello: ${hello}.${asMessage}`, {
        kind: 'mismatch',
        expected: '{"type":"hello","version":1,"key":<32 bytes, base64>,"identity":<32 bytes, base64>,"signature":<64 bytes, base64>}',
        actual: preview(body, 160),
      });
    }
    const identity = hello.identity!;
    check(verifySignature(identity, handshakeTranscript(ephemeral.publicRaw, hello.key), hello.signature!), `The signature in the server's hello does not verify: a client must refuse this server.`, {
      expected: 'the Ed25519 signature, by the "identity" key, of the bytes "socketlab-v1 handshake" + the client\'s key (32 bytes) + the server\'s key (32 bytes)',
      actual: `signature ${hello.signature!.toString('base64')}`,
    });
    let secret: Buffer;
    try {
      secret = sharedSecret(ephemeral, hello.key);
    } catch {
      throw new ScenarioFailure(`The "key" in the server's hello is not a usable X25519 public key.`, { kind: 'mismatch', actual: hello.key.toString('base64') });
    }
    this.keys = deriveSessionKeys(secret, ephemeral.publicRaw, hello.key);
    this.serverKey = hello.key;
    this.sending = new Direction(this.keys.clientToServer);
    this.receiving = new Direction(this.keys.serverToClient);
    this.identity = { key: identity, fingerprint: fingerprint(identity) };
    this.handshakeMs = performance.now() - started;
    this.log.add('note', `handshake done in ${this.handshakeMs.toFixed(1)} ms; server key ${this.identity.fingerprint}; from here on every frame is sealed (the plaintext is shown under each)`);
  }

  // ---- sending ----------------------------------------------------------------------------------

  /** Seals the next frame without sending it (for replays, reordering, tampering): header and sealed body. */
  seal(body: Body): { frame: Buffer; plaintext: Buffer; counter: number } {
    const plaintext = toPlaintext(body);
    if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new Error(`harness bug: a plaintext of ${plaintext.length} bytes does not fit in one sealed frame`);
    const counter = this.sending.counter;
    return { frame: frame(this.sending.seal(plaintext)), plaintext, counter };
  }

  /** Seals and sends one message (objects as JSON) in one write. */
  async sendFrame(body: Body, note?: string): Promise<void> {
    const sealed = this.seal(body);
    await this.sendSealed(sealed.frame, sealed.plaintext, note);
  }

  /** Seals several messages and sends them glued into one write: the server must split and open them one by one. */
  async sendCoalesced(bodies: Body[]): Promise<void> {
    const sealed = bodies.map((body) => this.seal(body));
    for (const { plaintext } of sealed) this.log.sealed('sent', ++this.framesSent, plaintext);
    await this.wire.sendCoalesced(sealed.map(({ frame }) => frame));
  }

  /**
   * Sends bytes that are one frame as they are: a frame sealed earlier (a replay, a frame out
   * of order), a tampered one, or one from another connection. `carried` is what the harness
   * knows it holds, for the transcript.
   */
  async sendSealed(frameBytes: Buffer, carried?: Uint8Array, note?: string): Promise<void> {
    this.log.sealed('sent', ++this.framesSent, carried, note);
    await this.wire.send(frameBytes, note);
  }

  halfClose(): void {
    this.wire.halfClose();
  }

  // ---- receiving --------------------------------------------------------------------------------

  /** The next frame, opened; a frame that does not open fails with the likeliest reason. */
  async expectFrame(options: FrameWaitOptions = {}): Promise<Buffer> {
    let body: Buffer;
    try {
      body = await this.wire.expectFrame(options);
    } catch (err) {
      // The server hung up instead of answering: most often, it could not open our last frame.
      const last = this.sending.counter - 1;
      if (!(err instanceof ScenarioFailure) || err.details.kind !== 'closed' || last < 1) throw err;
      throw new ScenarioFailure(
        `The server closed ${this.who}'s connection instead of answering its sealed frame with counter ${last} (while waiting for ${options.what ?? 'a message'}). If it could not open that frame: the receiving side must build each nonce from its own counter, which starts at 0 and goes up by one for every frame it opens (counter ${last} here, not 0 again).`,
        err.details,
      );
    }
    const number = ++this.framesReceived;
    const counter = this.receiving.counter;
    const plaintext = this.receiving.open(body);
    if (!plaintext) {
      const why = explainUnopenable(body, this.keys, counter, 'server');
      this.log.sealed('received', number, undefined, 'does not open with the session keys');
      throw new ScenarioFailure(`${this.who} received a frame from the server that does not open (while waiting for ${options.what ?? 'a message'}). ${why}`, {
        kind: 'mismatch',
        expected: `a frame sealed with AES-256-GCM, server-to-client key, counter ${counter}`,
        actual: preview(body, 64),
      });
    }
    this.log.sealed('received', number, plaintext);
    return plaintext;
  }

  /** The next frame, opened and parsed as JSON. */
  async expectJson<T = unknown>(options: FrameWaitOptions = {}): Promise<T> {
    return parseJsonBody<T>(await this.expectFrame(options), 'The server sealed a frame whose plaintext is not valid JSON.');
  }

  /**
   * The server must close this connection without sending anything more (after a frame that
   * must not open). When it sent frames instead, the failure shows what they carried.
   */
  async expectClose(what: string, withinMs?: number): Promise<void> {
    try {
      await this.wire.expectClose({ what, ...(withinMs ? { withinMs } : {}) });
    } catch (err) {
      const answers = err instanceof ScenarioFailure ? this.openPending() : [];
      if (answers.length === 0) throw err;
      throw new ScenarioFailure(`Instead of closing ${this.who}'s connection without a word, the server sent it ${answers.join(', ')}.`, {
        kind: 'mismatch',
        expected: what,
        actual: answers.join('\n'),
      });
    }
  }

  /** Opens the whole frames that arrived and were not read, in order, for a failure message. */
  private openPending(): string[] {
    return splitFrames(this.wire.pending).bodies.map((body) => {
      const number = ++this.framesReceived;
      const plaintext = this.receiving?.open(body);
      this.log.sealed('received', number, plaintext, plaintext ? undefined : 'does not open with the session keys');
      return plaintext ? `a sealed frame carrying ${preview(plaintext, 120)}` : `a frame that does not open: ${preview(body, 48)}`;
    });
  }
}
