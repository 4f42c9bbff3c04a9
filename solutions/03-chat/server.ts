// Lab 3 (reference solution): a multi-client chat room.
//
// Clients send JSON messages in frames (framing.ts, from lab 2); the message types and the
// room's limits are in protocol.ts. A client joins with a name, then its chat lines are
// relayed to everyone else in the room, with its name added by the server.
// Run it by hand:  node --import tsx solutions/03-chat/server.ts 8080

import net from 'node:net';
import { encodeFrame, FrameDecoder, FrameError } from './framing.ts';
import {
  MAX_LISTED_NAMES,
  MAX_NAME_LENGTH,
  MAX_QUEUED_BYTES,
  MAX_TEXT_LENGTH,
  RESERVED_NAMES,
  type ClientMessage,
  type ErrorCode,
  type Roster,
  type ServerMessage,
} from './protocol.ts';

const port = Number(process.argv[2] ?? 8080);

/** Everything the server knows about one connection. */
interface Client {
  socket: net.Socket;
  /** For the server's own log lines: "127.0.0.1:53712". */
  address: string;
  /** Set once the client has joined; until then it is connected but not in the room. */
  name?: string;
}

/**
 * The room: every client that has joined, by its name in lower case (so "Alice" and "alice"
 * are the same name), in the order they joined. A client that has connected but not joined
 * is not in here, so it never receives chat.
 */
const room = new Map<string, Client>();

/** A refusal: the client broke a rule. It gets an error message and stays connected. */
class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ---- sending -------------------------------------------------------------------------------

function encode(message: ServerMessage): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(message), 'utf8'));
}

/**
 * Writes one frame to one client. write() never waits: when the client reads slower than we
 * write, the bytes queue up inside the socket (socket.writableLength). One client that stops
 * reading would make that queue, and our memory, grow forever, so past a limit we let it go.
 * Nobody else waits for it: the others' frames go into their own sockets' queues.
 */
function deliver(client: Client, frame: Buffer): void {
  if (!client.socket.writable) return; // it is closing: nothing more can be sent to it
  client.socket.write(frame);
  if (client.socket.writableLength > MAX_QUEUED_BYTES) {
    console.log(`${client.address}: ${client.socket.writableLength} bytes waiting, it is not reading: disconnecting it`);
    client.socket.destroy(); // 'close' follows, and announces that it left
  }
}

function send(client: Client, message: ServerMessage): void {
  deliver(client, encode(message));
}

/** Sends `message` to everyone in the room except `sender`: encoded once, written to each. */
function broadcast(message: ServerMessage, sender?: Client): void {
  const frame = encode(message);
  for (const member of room.values()) {
    if (member !== sender) deliver(member, frame);
  }
}

/** Who is here, as a welcome or a who tells it: at most MAX_LISTED_NAMES names, and how many more. */
function roster(): Roster {
  const names = [...room.values()].map((member) => member.name!);
  const present = names.slice(0, MAX_LISTED_NAMES);
  return names.length > present.length ? { present, more: names.length - present.length } : { present };
}

// ---- checking what arrives: the trust boundary ---------------------------------------------

/** Turns a frame body into a ClientMessage, or refuses it. Fields we do not know are dropped. */
function parseMessage(body: Buffer): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ProtocolError('bad-message', 'the frame body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad-message', 'a message must be a JSON object, like {"type":"who"}');
  }
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'join':
      if (typeof message.name !== 'string') throw new ProtocolError('bad-message', 'a join message needs a "name" string');
      return { type: 'join', name: message.name };
    case 'chat':
      if (typeof message.text !== 'string') throw new ProtocolError('bad-message', 'a chat message needs a "text" string');
      // A new object with only the fields we know: a "from" the client added is left behind.
      return { type: 'chat', text: message.text };
    case 'who':
      return { type: 'who' };
    default:
      throw new ProtocolError('bad-message', 'the "type" must be "join", "chat" or "who"');
  }
}

// A whitelist: say what *is* allowed. Spaces, newlines, control characters, and letters from
// other alphabets that look like Latin ones ("аlice" with a Cyrillic "а") are all left out.
const NAME_CHARACTERS = /^[A-Za-z0-9_-]+$/;

function checkName(name: string): void {
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) {
    throw new ProtocolError('bad-name', `a name has 1 to ${MAX_NAME_LENGTH} characters`);
  }
  if (!NAME_CHARACTERS.test(name)) {
    throw new ProtocolError('bad-name', 'a name may only use the letters A-Z and a-z, the digits 0-9, "_" and "-"');
  }
  if (RESERVED_NAMES.includes(name.toLowerCase())) {
    throw new ProtocolError('bad-name', `"${name}" is reserved`);
  }
  if (room.has(name.toLowerCase())) {
    throw new ProtocolError('name-taken', `someone in the room is already called "${name}"`);
  }
}

// Characters that could make one chat line look like several, or like a line from someone
// else, on the reader's screen: C0 controls (newline, carriage return, escape…), DEL and the
// C1 controls, and the Unicode line and paragraph separators.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function checkText(text: string): void {
  if (text.length < 1 || text.length > MAX_TEXT_LENGTH) {
    throw new ProtocolError('bad-text', `chat text has 1 to ${MAX_TEXT_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(text)) {
    throw new ProtocolError('bad-text', 'chat text may not contain control characters such as line breaks');
  }
}

// ---- the room ------------------------------------------------------------------------------

function handleMessage(client: Client, message: ClientMessage): void {
  if (message.type === 'join') {
    if (client.name !== undefined) throw new ProtocolError('already-joined', `you have already joined as "${client.name}"`);
    checkName(message.name);
    client.name = message.name;
    room.set(message.name.toLowerCase(), client);
    console.log(`${client.address}: joined as ${client.name}`);
    send(client, { type: 'welcome', name: client.name, ...roster() });
    broadcast({ type: 'joined', name: client.name }, client);
    return;
  }

  // Everything else is for members only.
  if (client.name === undefined) throw new ProtocolError('not-joined', 'join first: send {"type":"join","name":"…"}');

  if (message.type === 'chat') {
    checkText(message.text);
    // The sender's name comes from the connection, never from the message.
    broadcast({ type: 'chat', from: client.name, text: message.text }, client);
  } else {
    send(client, { type: 'who', ...roster() });
  }
}

function handleFrame(client: Client, body: Buffer): void {
  try {
    handleMessage(client, parseMessage(body));
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    send(client, { type: 'error', code: err.code, message: err.message });
  }
}

/** Called exactly once per connection, however it ended: a close, a reset, or our destroy(). */
function handleClose(client: Client): void {
  if (client.name === undefined) return; // never joined: nobody to tell
  room.delete(client.name.toLowerCase());
  console.log(`${client.address}: ${client.name} left`);
  broadcast({ type: 'left', name: client.name });
}

// ---- connections ---------------------------------------------------------------------------

// One event loop serves every client: each handler below runs briefly and returns, so a
// client that sends nothing, or half a frame, keeps nobody waiting.
const server = net.createServer((socket) => {
  const client: Client = { socket, address: `${socket.remoteAddress}:${socket.remotePort}` };
  const decoder = new FrameDecoder();
  socket.setNoDelay(true);

  socket.on('data', (chunk) => {
    if (socket.writableEnded) return; // we have hung up on this client: ignore the rest
    let bodies: Buffer[];
    try {
      bodies = decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      // The stream cannot be trusted to stay in step any more: say why, then hang up.
      send(client, { type: 'error', code: 'bad-frame', message: err.message });
      socket.end();
      return;
    }
    for (const body of bodies) handleFrame(client, body);
  });

  // A reset or a write to a vanished client arrives here; 'close' always follows.
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
