// Lab 5 (reference solution): the chat room of lab 4, behind a secure channel.
//
// Every connection starts with a handshake (channel.ts): the first frame must be the client's
// hello, and the server answers with its own, signed with its identity key (identity.ts).
// From then on every frame in both directions is sealed, and one that does not open closes
// the connection. Nothing of lab 4 changes above the channel: the same messages, accounts and
// room, only now nobody on the network can read them, change them or replay them.
// The command line is in settings.ts; the byte formats in docs/protocol.md, "Lab 5".
// Run it by hand:  node --import tsx solutions/05-encryption/server.ts 8080

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { answerHello, ChannelError, type SecureChannel } from './channel.ts';
import { encodeFrame, FrameDecoder, FrameError } from './framing.ts';
import { loadOrCreateIdentity } from './identity.ts';
import { Lockout } from './lockout.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import {
  MAX_FAILED_LOGINS,
  MAX_LISTED_NAMES,
  MAX_NAME_LENGTH,
  MAX_PASSWORD_LENGTH,
  MAX_QUEUED_BYTES,
  MAX_TEXT_LENGTH,
  MIN_PASSWORD_LENGTH,
  RESERVED_NAMES,
  type ClientMessage,
  type ErrorCode,
  type Roster,
  type ServerMessage,
} from './protocol.ts';
import { settings } from './settings.ts';
import { AccountStore, StoreError } from './store.ts';

/** Everything the server knows about one connection. */
interface Client {
  socket: net.Socket;
  /** For the server's own log lines: "127.0.0.1:53712". */
  address: string;
  /** Set once the handshake is done. Until then the client may only send its hello. */
  channel?: SecureChannel;
  /** The account's name, set once the client has logged in; until then it is not in the room. */
  name?: string;
}

/** The room: every client that has logged in, by its account name in lower case. */
const room = new Map<string, Client>();

/** Names being registered right now: taken already, although not on disk yet. */
const registering = new Set<string>();

const lockout = new Lockout(MAX_FAILED_LOGINS, settings.lockoutMs);

/** A refusal: the client broke a rule. It gets an error message and stays connected. */
class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

// ---- start-up: the store must open, or the server does not start ----------------------------

let store: AccountStore;
try {
  store = await AccountStore.open(settings.storeFile);
} catch (err) {
  if (!(err instanceof StoreError)) throw err;
  console.error(`Cannot start: ${err.message}`);
  process.exit(1);
}

/**
 * A hash of a random password nobody knows, made with today's cost. A login for a name
 * without an account is checked against it, so that it takes as long as a wrong password
 * for a real account: the time of the answer must not tell which names exist.
 */
const nobody = hashPassword(randomBytes(16).toString('hex'), settings.scryptN);

// The server's long-term key: created on the first start, the same on every start after.
// Its fingerprint is printed so that a person can compare it with what their client shows.
const identity = loadOrCreateIdentity(settings.dataDir);
console.log(`server key fingerprint: ${identity.fingerprint}`);

// ---- sending: every message sealed, with the keys of the client it is for ------------------------

const encode = (message: ServerMessage): Buffer => Buffer.from(JSON.stringify(message), 'utf8');

/** The frame that carries `plaintext` to `client`: sealed with that client's own keys and counter. */
function frameFor(client: Client, plaintext: Buffer): Buffer {
  return encodeFrame(client.channel!.seal(plaintext));
}

/** Writes one frame; a client past MAX_QUEUED_BYTES is not reading, and is let go. */
function deliver(client: Client, frame: Buffer): void {
  if (!client.socket.writable) return; // it is closing: nothing more can be sent to it
  client.socket.write(frame);
  if (client.socket.writableLength > MAX_QUEUED_BYTES) {
    console.log(`${client.address}: ${client.socket.writableLength} bytes waiting, it is not reading: disconnecting it`);
    client.socket.destroy(); // 'close' follows, and announces that it left
  }
}

function send(client: Client, message: ServerMessage): void {
  deliver(client, frameFor(client, encode(message)));
}

/** Sends `message` to everyone in the room except `sender`: encoded once, sealed for each. */
function broadcast(message: ServerMessage, sender?: Client): void {
  const plaintext = encode(message);
  for (const member of room.values()) {
    if (member !== sender) deliver(member, frameFor(member, plaintext));
  }
}

/** Who is here, as a welcome or a who tells it: at most MAX_LISTED_NAMES names, and how many more. */
function roster(): Roster {
  const names = [...room.values()].map((member) => member.name!);
  const present = names.slice(0, MAX_LISTED_NAMES);
  return names.length > present.length ? { present, more: names.length - present.length } : { present };
}

// ---- checking what arrives: the trust boundary -------------------------------------------------

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
    case 'register':
    case 'login':
      if (typeof message.name !== 'string' || typeof message.password !== 'string') {
        throw new ProtocolError('bad-message', `a ${message.type} message needs a "name" string and a "password" string`);
      }
      return { type: message.type, name: message.name, password: message.password };
    case 'chat':
      if (typeof message.text !== 'string') throw new ProtocolError('bad-message', 'a chat message needs a "text" string');
      return { type: 'chat', text: message.text };
    case 'who':
      return { type: 'who' };
    default:
      // Lab 3's "join" ends up here too: a name without a password lets nobody in any more.
      throw new ProtocolError('bad-message', 'the "type" must be "register", "login", "chat" or "who"');
  }
}

const NAME_CHARACTERS = /^[A-Za-z0-9_-]+$/;

/** The name rules of lab 3. (Whether the name is free is the store's business now.) */
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
}

function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new ProtocolError('bad-password', `a password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
}

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function checkText(text: string): void {
  if (text.length < 1 || text.length > MAX_TEXT_LENGTH) {
    throw new ProtocolError('bad-text', `chat text has 1 to ${MAX_TEXT_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(text)) {
    throw new ProtocolError('bad-text', 'chat text may not contain control characters such as line breaks');
  }
}

// ---- accounts --------------------------------------------------------------------------------

async function register(client: Client, name: string, password: string): Promise<void> {
  checkName(name);
  checkNewPassword(password);
  const key = name.toLowerCase();
  // Taken if it is on disk, or on its way there: the check and the reservation happen in one
  // go, before the first await, so two registrations of one name cannot both pass.
  if (store.has(key) || registering.has(key)) throw new ProtocolError('name-taken', `an account called "${name}" exists already`);
  registering.add(key);
  try {
    const hash = await hashPassword(password, settings.scryptN);
    await store.add({ name, password: hash });
  } catch (err) {
    console.error(`${client.address}: could not save the account ${name}: ${(err as Error).message}`);
    throw new ProtocolError('server-error', 'the server could not save your account; nothing was created, try again later');
  } finally {
    registering.delete(key);
  }
  // Never the password, in a log or anywhere else: only the name.
  console.log(`${client.address}: registered ${name}`);
  send(client, { type: 'registered', name });
}

/** Same answer for a wrong password and an unknown name: it must not tell which names exist. */
const LOGIN_FAILED = 'wrong name or password';

async function login(client: Client, name: string, password: string): Promise<void> {
  checkName(name);
  if (lockout.isLocked(name)) {
    // Not even checked: while the period lasts, a right guess and a wrong one look the same.
    throw new ProtocolError('locked', `too many failed logins for "${name}": wait a while, then try again`);
  }
  lockout.attempt(name);
  const account = store.get(name);
  let right = false;
  // A password over the maximum is not hashed at all: no account can have one.
  if (password.length <= MAX_PASSWORD_LENGTH) {
    // Hash even when there is no account (against `nobody`), so both cases take as long.
    const matches = await verifyPassword(password, account?.password ?? (await nobody));
    right = matches && account !== undefined;
  }
  if (!right || !account) {
    lockout.failed(name);
    console.log(`${client.address}: failed login for ${name}`);
    throw new ProtocolError('login-failed', LOGIN_FAILED);
  }
  lockout.succeeded(name);
  // While we waited for scrypt, the world went on: the client may have gone. A vanished client
  // must not enter the room: its 'close' has been handled already, nothing would take it out.
  if (client.socket.destroyed) return;
  // Only after the password: a stranger must not learn whether someone is online.
  if (room.has(account.name.toLowerCase())) throw new ProtocolError('already-online', `${account.name} is logged in on another connection`);

  // From here on, exactly lab 3's join, under the account's own spelling of its name.
  client.name = account.name;
  room.set(account.name.toLowerCase(), client);
  console.log(`${client.address}: logged in as ${client.name}`);
  send(client, { type: 'welcome', name: client.name, ...roster() });
  broadcast({ type: 'joined', name: client.name }, client);
}

// ---- the room --------------------------------------------------------------------------------

async function handleMessage(client: Client, message: ClientMessage): Promise<void> {
  if (message.type === 'register' || message.type === 'login') {
    if (client.name !== undefined) throw new ProtocolError('already-logged-in', `you are logged in as "${client.name}" already`);
    return message.type === 'register' ? register(client, message.name, message.password) : login(client, message.name, message.password);
  }

  // Everything else is for members only.
  if (client.name === undefined) throw new ProtocolError('not-logged-in', 'log in first: send {"type":"login","name":"…","password":"…"}');

  if (message.type === 'chat') {
    checkText(message.text);
    // The sender's name comes from the connection, never from the message.
    broadcast({ type: 'chat', from: client.name, text: message.text }, client);
  } else {
    send(client, { type: 'who', ...roster() });
  }
}

async function handleFrame(client: Client, body: Buffer): Promise<void> {
  try {
    await handleMessage(client, parseMessage(body));
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    send(client, { type: 'error', code: err.code, message: err.message });
  }
}

/** Called exactly once per connection, however it ended: a close, a reset, or our destroy(). */
function handleClose(client: Client): void {
  if (client.name === undefined) return; // never logged in: nobody to tell
  room.delete(client.name.toLowerCase());
  console.log(`${client.address}: ${client.name} left`);
  broadcast({ type: 'left', name: client.name });
}

// ---- connections: the channel comes first -----------------------------------------------------

/**
 * Turns the frame bodies that arrived into messages. The first one must be the hello; every
 * one after it must open. Anything else ends the connection at once, and nothing of it is
 * handled: a frame that does not open was altered, replayed, reordered or never ours.
 */
function openFrames(client: Client, bodies: Buffer[]): Buffer[] | undefined {
  const messages: Buffer[] = [];
  try {
    for (const body of bodies) {
      if (client.channel) {
        messages.push(client.channel.open(body));
        continue;
      }
      const { reply, channel } = answerHello(body, identity.privateKey);
      client.socket.write(encodeFrame(reply)); // the server's hello: the last frame sent in the clear
      client.channel = channel;
    }
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    console.log(`${client.address}: ${client.channel ? 'closing the secure channel' : 'handshake refused'}: ${err.message}`);
    client.socket.destroy(); // no answer: whoever sent this learns nothing from us
    return undefined;
  }
  return messages;
}

// allowHalfOpen: a client that sends a request and then ends its side (half-close) still gets
// the answer. Answers come later than in lab 3 (after scrypt and the disk), so we close our side
// ourselves, once they are sent, instead of letting Node close it the moment the client ends.
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  const client: Client = { socket, address: `${socket.remoteAddress}:${socket.remotePort}` };
  const decoder = new FrameDecoder();
  /** The frames being handled; settled when this client is waiting for nothing. */
  let busy = Promise.resolve();
  socket.setNoDelay(true);

  // A connection that has not finished its handshake in time is dropped: a client that says
  // nothing, or half a hello, must not hold a connection (and its memory) for ever.
  const handshakeTimer = setTimeout(() => {
    console.log(`${client.address}: no handshake within ${settings.handshakeTimeoutMs} ms, closing`);
    socket.destroy();
  }, settings.handshakeTimeoutMs);

  socket.on('data', (chunk) => {
    if (socket.writableEnded) return; // we have hung up on this client: ignore the rest
    let bodies: Buffer[];
    try {
      bodies = decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      // Before the handshake there is no channel to say it on: the connection just closes.
      if (client.channel) send(client, { type: 'error', code: 'bad-frame', message: err.message });
      socket.end();
      return;
    }
    const messages = openFrames(client, bodies);
    if (client.channel) clearTimeout(handshakeTimer);
    if (!messages) return;
    // A login or a registration waits for scrypt and the disk. Read nothing more from this
    // client until its frames are handled, so that its requests are answered one at a time
    // and in order. Everybody else is served in the meantime: only this socket is paused.
    socket.pause();
    busy = handleFrames(client, messages).then(() => {
      socket.resume();
    });
  });

  // The client has finished sending: answer what it sent, then close our side too.
  socket.on('end', () => {
    void busy.then(() => socket.end());
  });
  // A reset or a write to a vanished client arrives here; 'close' always follows.
  socket.on('error', (err) => console.log(`${client.address}: ${err.message}`));
  socket.on('close', () => {
    clearTimeout(handshakeTimer);
    handleClose(client);
  });
});

async function handleFrames(client: Client, messages: Buffer[]): Promise<void> {
  for (const message of messages) await handleFrame(client, message);
}

server.on('error', (err: NodeJS.ErrnoException) => {
  console.error(err.code === 'EADDRINUSE' ? `Port ${settings.port} is already in use.` : `Server error: ${err.message}`);
  process.exit(1);
});

server.listen(settings.port, '127.0.0.1', () => {
  const { address, port: actual } = server.address() as net.AddressInfo;
  console.log(`listening on ${address}:${actual}`);
});
