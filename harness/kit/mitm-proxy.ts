// A man in the middle (lab 5): a TCP proxy on 127.0.0.1 between the learner's client program
// and the learner's server, the way an attacker on the network would sit. It has three modes,
// chosen before each connection:
//
// - 'relay': passes every byte along unchanged, and watches the frames go by (the client can
//   pin the real server's key through it, since the proxy's address is what the client knows);
// - 'impostor': answers the client's hello itself, with its own identity key and a valid
//   signature by it. Only a client that remembers the real server's key can notice;
// - 'swapped-key': makes its own handshake with the real server, then gives the client the
//   real server's identity and signature, but its own ephemeral key. The signature no longer
//   matches the handshake: only a client that checks it can notice.
//
// In both attacks, a client that does not notice seals its messages for the proxy: the proxy
// opens them and keeps what it read (`stolen`). It does not pass them on; it has what it came for.

import net from 'node:net';
import { FrameStream } from './frame-stream.ts';
import { frame } from './frames.ts';
import {
  Direction,
  answerHello,
  clientHello,
  deriveSessionKeys,
  fingerprint,
  newEphemeral,
  newIdentity,
  parseHello,
  sharedSecret,
  type KeyPair,
  type ServerHello,
  type SessionKeys,
} from './secure-channel.ts';
import type { ConnectionLog, Transcript } from './transcript.ts';

export type MitmMode = 'relay' | 'impostor' | 'swapped-key';

const describeMode: Record<MitmMode, string> = {
  relay: 'passes every byte along unchanged',
  impostor: "answers the client's hello itself, signed with its own identity key",
  'swapped-key': "gives the client the real server's identity and signature, with its own ephemeral key",
};

export class ManInTheMiddle {
  /** How the next connection is treated. */
  mode: MitmMode = 'relay';
  /** The proxy's own identity key (the impostor's). */
  readonly impostor: KeyPair = newIdentity();
  /** The identity key seen in the real server's hello (relay and swapped-key modes). */
  serverIdentity: Buffer | undefined;
  /** Sealed frames relayed after the handshake, per direction, over all connections. */
  relayed = { fromClient: 0, fromServer: 0 };
  /** Every byte relayed in relay mode, both ways, in full: what an eavesdropper would have. */
  readonly overheard: Buffer[] = [];
  /** What the proxy could read of the client's sealed frames in an attack: the attack worked. */
  readonly stolen: Buffer[] = [];
  /** Settles when the server's first sealed frame (after its hello) has been relayed to a client. */
  readonly serverAnswered: Promise<void>;
  /** Settles when the proxy has read something the client sealed: the client was fooled. */
  readonly fooledClient: Promise<void>;
  private markAnswered!: () => void;
  private markFooled!: () => void;
  private readonly sockets = new Set<net.Socket>();
  private readonly clients = new Set<net.Socket>();
  private connections = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
    private readonly transcript: Transcript,
  ) {
    this.serverAnswered = new Promise((resolve) => (this.markAnswered = resolve));
    this.fooledClient = new Promise((resolve) => (this.markFooled = resolve));
  }

  static async start(target: { host: string; port: number }, transcript: Transcript): Promise<ManInTheMiddle> {
    // allowHalfOpen: a client that ends its side still gets the server's answers relayed.
    const server = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const proxy = new ManInTheMiddle(server, (server.address() as net.AddressInfo).port, target, transcript);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  get impostorFingerprint(): string {
    return fingerprint(this.impostor.publicRaw);
  }

  /** Settles once every connection from a client has closed: by then it has read all the clients sent. */
  async idle(): Promise<void> {
    await Promise.all([...this.clients].map((socket) => new Promise((resolve) => socket.once('close', resolve))));
  }

  /** Stops listening and drops every connection it holds. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: net.Socket, log: ConnectionLog): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', (err: NodeJS.ErrnoException) => log.add('error', `${err.code ?? ''} ${err.message}`.trim()));
    socket.on('close', () => {
      this.sockets.delete(socket);
      log.add('closed', 'connection closed');
    });
  }

  private accept(client: net.Socket): void {
    const n = ++this.connections;
    const mode = this.mode;
    const log = this.transcript.open(`your client → man in the middle (connection ${n})`, 'frames');
    log.add('connected', `your client connected to the man in the middle, which ${describeMode[mode]}`);
    this.track(client, log);
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
    const send = (bytes: Buffer, note?: string) => {
      log.bytes('sent', bytes, note);
      client.write(bytes);
    };
    const frames = new FrameStream();
    let onFrame: (body: Buffer) => void;
    client.on('data', (chunk: Buffer) => {
      log.bytes('received', chunk);
      for (const body of frames.push(chunk)) onFrame(body);
    });
    client.on('end', () => log.add('peer-ended', 'your client closed its side (FIN)'));

    if (mode === 'relay') {
      const upstream = this.upstream(n, (chunk) => {
        this.overheard.push(chunk);
        send(chunk);
      });
      client.on('data', (chunk: Buffer) => {
        this.overheard.push(chunk);
        upstream.write(chunk);
      });
      client.on('end', () => upstream.socket.end());
      client.on('close', () => upstream.socket.destroy());
      upstream.socket.on('end', () => client.end());
      upstream.socket.on('close', () => client.end());
      let helloSeen = false;
      onFrame = () => {
        if (!helloSeen) helloSeen = true;
        else this.relayed.fromClient++;
      };
      return;
    }

    // An attack: the client's sealed frames are meant for us now.
    client.on('end', () => client.end());
    let reading: Direction | undefined;
    let framesRead = 1; // the client's hello was frame #1
    onFrame = (body) => {
      if (!reading) {
        const hello = parseHello(body, false);
        if (typeof hello === 'string') return client.destroy();
        void this.answerAsAttacker(n, mode, hello.key).then(({ hello: answer, keys }) => {
          reading = new Direction(keys.clientToServer);
          send(frame(JSON.stringify(answer)), mode === 'impostor' ? "the man in the middle's own hello, signed with its own identity key" : "the real server's identity and signature, with the man in the middle's own key");
        }, () => client.destroy());
        return;
      }
      const plaintext = reading.open(body);
      log.sealed('received', ++framesRead, plaintext, plaintext ? 'read by the man in the middle' : 'the man in the middle could not open it');
      if (!plaintext) return;
      this.stolen.push(plaintext);
      this.markFooled();
    };
  }

  /** The hello the attacker gives the client, and the keys it then shares with the client. */
  private async answerAsAttacker(n: number, mode: MitmMode, clientKey: Buffer): Promise<{ hello: ServerHello; keys: SessionKeys }> {
    if (mode === 'impostor') return answerHello(clientKey, this.impostor);
    const real = await this.realServerHello(n);
    const ephemeral = newEphemeral();
    const keys = deriveSessionKeys(sharedSecret(ephemeral, clientKey), clientKey, ephemeral.publicRaw);
    return { hello: { ...real, key: ephemeral.publicRaw.toString('base64') }, keys };
  }

  /** Makes a handshake of its own with the real server, to get a real identity and signature. */
  private realServerHello(n: number): Promise<ServerHello> {
    return new Promise((resolve, reject) => {
      const frames = new FrameStream();
      const upstream = this.upstream(n, (chunk) => {
        const [body] = frames.push(chunk);
        if (!body) return;
        const hello = parseHello(body, true);
        upstream.socket.end();
        if (typeof hello === 'string') return reject(new Error(`the real server's hello is not one: ${hello}`));
        this.serverIdentity = hello.identity;
        resolve(JSON.parse(body.toString('utf8')) as ServerHello);
      });
      upstream.socket.on('close', () => reject(new Error('the real server closed the connection before its hello')));
      upstream.write(frame(JSON.stringify(clientHello(newEphemeral()))));
    });
  }

  /** A recorded connection to the real server; `onData` gets what the server sends, `write` records what goes to it. */
  private upstream(n: number, onData: (chunk: Buffer) => void): { socket: net.Socket; write(bytes: Buffer): void } {
    const log = this.transcript.open(`man in the middle → your server (connection ${n})`, 'frames');
    const socket = net.connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    this.track(socket, log);
    const frames = new FrameStream();
    let helloSeen = false;
    socket.on('connect', () => log.add('connected', `connected to your server at ${this.target.host}:${this.target.port}`));
    socket.on('data', (chunk: Buffer) => {
      log.bytes('received', chunk);
      for (const body of frames.push(chunk)) {
        if (helloSeen) {
          this.relayed.fromServer++;
          this.markAnswered();
          continue;
        }
        helloSeen = true;
        const hello = parseHello(body, true);
        if (typeof hello !== 'string') this.serverIdentity = hello.identity;
      }
      onData(chunk);
    });
    socket.on('end', () => log.add('peer-ended', 'your server closed its side (FIN)'));
    return {
      socket,
      write(bytes) {
        // Recorded when it really goes out: after the 'connected' line, not before.
        const go = () => {
          log.bytes('sent', bytes);
          socket.write(bytes);
        };
        if (socket.connecting) socket.once('connect', go);
        else go();
      },
    };
  }
}
