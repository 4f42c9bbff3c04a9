// Lab 3: a multi-client chat room.
//
// Goal: clients join with a name, and each chat line one of them sends reaches everyone
// else in the room, with the sender's name added by the server. No client, however slow,
// silent or rude, can stall the room, crash it, or speak as someone else.
// Read the guide first:  npm run docs 3        Test your work:  npm run lab 3
//
// framing.ts is your lab 2 decoder (given, complete). protocol.ts describes every message and
// the room's limits (given, complete). The harness runs this file like lab 1's:
//   node server.ts <port>   and waits for   listening on 127.0.0.1:<port>
// The wiring below (connections, frames, sending) is done; the room is yours.

import net from 'node:net';
import { encodeFrame, FrameDecoder, FrameError } from './framing.ts';
import type { ErrorCode, ServerMessage } from './protocol.ts';

const port = Number(process.argv[2] ?? 8080);

/** Everything the server knows about one connection. */
interface Client {
  socket: net.Socket;
  /** For your log lines: "127.0.0.1:53712". */
  address: string;
  /** Set once the client has joined; until then it is connected but not in the room. */
  name?: string;
}

// TODO: keep the clients that have joined (the room), so you can find a name and send to everyone.

/** Sends one message to one client, as one frame. */
function send(client: Client, message: ServerMessage): void {
  client.socket.write(encodeFrame(Buffer.from(JSON.stringify(message), 'utf8')));
  // TODO: a client that does not read makes its unsent bytes pile up (socket.writableLength).
  //       Past MAX_QUEUED_BYTES (protocol.ts), disconnect it instead of queuing forever.
}

function sendError(client: Client, code: ErrorCode, message: string): void {
  send(client, { type: 'error', code, message });
}

/** Handles one frame body from `client`: everything in it comes from an untrusted client. */
function handleFrame(client: Client, body: Buffer): void {
  // TODO: parse the body as JSON; refuse anything that is not a message of protocol.ts with
  //       a "bad-message" error (the client stays connected).
  // TODO: join: check the name against the rules in protocol.ts ("bad-name", "name-taken",
  //       "already-joined"), welcome the client with who is present (a roster, protocol.ts),
  //       tell the others it joined.
  // TODO: chat: only from a joined client ("not-joined"); check the text ("bad-text"); relay it
  //       to every other joined client, with the sender's name set by you.
  // TODO: who: only for a joined client; answer with who is present (a roster again).
}

/** Called once per connection, however it ended: a close, a reset, or your own destroy(). */
function handleClose(client: Client): void {
  // TODO: if this client had joined, take it out of the room and tell the others it left.
}

// ---- connections: already done for you -----------------------------------------------------

const server = net.createServer((socket) => {
  const client: Client = { socket, address: `${socket.remoteAddress}:${socket.remotePort}` };
  const decoder = new FrameDecoder();
  socket.setNoDelay(true);

  socket.on('data', (chunk) => {
    let bodies: Buffer[];
    try {
      bodies = decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      // TODO: the stream is out of step (a frame over the size limit): send a "bad-frame" error,
      //       then close your side, and ignore whatever this client still sends.
      return;
    }
    for (const body of bodies) handleFrame(client, body);
  });

  socket.on('error', (err) => console.log(`${client.address}: ${err.message}`));
  socket.on('close', () => handleClose(client));
});

server.on('error', (err: NodeJS.ErrnoException) => {
  console.error(err.code === 'EADDRINUSE' ? `Port ${port} is already in use.` : `Server error: ${err.message}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  const { address, port: actual } = server.address() as net.AddressInfo;
  console.log(`listening on ${address}:${actual}`);
});
