// Lab 6 (reference solution): the finished chat room, one its operator can trust.
//
// Lab 5's room (a secure channel, then accounts and chat), and what the original room's
// operator had, done right:
//   - statistics (stats.ts): counted in memory as things happen, saved atomically, never lost
//     to a crash beyond the last few seconds, kept apart from the password hashes;
//   - an event log (event-log.ts): one JSON line per event, nothing secret in it, rotated;
//   - a console (console.ts): `audit`, `who`, `shutdown` on standard input, and no busy loop
//     when that input ends;
//   - a clean shutdown: every client is told, every connection closed, everything saved;
//   - a room that can hold 10,000: joins and leaves are not announced past MAX_ANNOUNCED_ROOM.
// The command line is in settings.ts; the files and the console in docs/protocol.md, "Lab 6".
// Run it:  npm run server          (or: node --import tsx solutions/06-audit/server.ts 8080)

import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { reachableAddresses } from './addresses.ts';
import { writeFileAtomically } from './atomic-file.ts';
import { formatAuditTable } from './audit-table.ts';
import { answerHello, ChannelError, type SecureChannel } from './channel.ts';
import { startConsole } from './console.ts';
import { EventLog, type EventFields } from './event-log.ts';
import { encodeFrame, FrameDecoder, FrameError } from './framing.ts';
import { loadOrCreateIdentity } from './identity.ts';
import { Lockout } from './lockout.ts';
import { checkName, checkNewPassword, checkText, parseMessage, ProtocolError } from './messages.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import {
  MAX_ANNOUNCED_ROOM,
  MAX_FAILED_LOGINS,
  MAX_LISTED_NAMES,
  MAX_PASSWORD_LENGTH,
  MAX_QUEUED_BYTES,
  type ClientMessage,
  type Roster,
  type ServerMessage,
} from './protocol.ts';
import { settings } from './settings.ts';
import { Statistics, StatsError } from './stats.ts';
import { AccountStore, StoreError } from './store.ts';

/** Why a connection ended, as the event log says it (docs/protocol.md, "The event log"). */
type DisconnectReason = 'closed' | 'reset' | 'handshake-failed' | 'channel-failed' | 'bad-frame' | 'not-reading' | 'server-error' | 'shutdown';

/** Everything the server knows about one connection. */
interface Client {
  socket: net.Socket;
  /** For the log: "127.0.0.1:53712". */
  address: string;
  /** Set once the handshake is done. Until then the client may only send its hello. */
  channel?: SecureChannel;
  /** The account's name, set once the client has logged in; until then it is not in the room. */
  name?: string;
  /** Set when the server decides to end the connection, so that 'close' can log why. */
  closing?: DisconnectReason;
}

/** Every open connection, logged in or not: the statistics count them, shutdown closes them. */
const clients = new Set<Client>();

/** The room: every client that has logged in, by its account name in lower case. */
const room = new Map<string, Client>();

/** Names being registered right now: taken already, although not on disk yet. */
const registering = new Set<string>();

const lockout = new Lockout(MAX_FAILED_LOGINS, settings.lockoutMs);

// ---- start-up: the files must open, or the server does not start -----------------------------

let store: AccountStore;
let stats: Statistics;
try {
  store = await AccountStore.open(settings.storeFile);
  stats = await Statistics.load(path.join(settings.dataDir, 'stats.json'));
} catch (err) {
  if (!(err instanceof StoreError || err instanceof StatsError)) throw err;
  console.error(`Cannot start: ${err.message}`);
  process.exit(1);
}
stats.saveEvery(settings.statsIntervalMs);

const log = new EventLog(path.join(settings.dataDir, 'events.log'), settings.logMaxBytes, settings.logFiles);

/** A hash nobody's password matches: unknown names take as long to refuse as wrong passwords (lab 4). */
const nobody = hashPassword(randomBytes(16).toString('hex'), settings.scryptN);

const identity = loadOrCreateIdentity(settings.dataDir);
console.log(`server key fingerprint: ${identity.fingerprint}`);

/** One line in the event log about `client`: its address, and its name once it has one. */
function logEvent(event: string, client: Client, fields: EventFields = {}): void {
  log.write(event, { address: client.address, name: client.name, ...fields });
}

// ---- sending: every message sealed, with the keys of the client it is for ------------------------

/** Frames gathered for one client leave once they add up to this much (see deliver). */
const FLUSH_BYTES = 16 * 1024;

const encode = (message: ServerMessage): Buffer => Buffer.from(JSON.stringify(message), 'utf8');

function frameFor(client: Client, plaintext: Buffer): Buffer {
  return encodeFrame(client.channel!.seal(plaintext));
}

/**
 * Writes one frame; a client past MAX_QUEUED_BYTES is not reading, and is let go.
 *
 * The frames for one client are gathered until this turn of the event loop is over, then
 * leave in one system call (cork, then uncork in setImmediate: Node writes the corked frames
 * with one writev). In a busy room each client gets many frames per turn, and a system call per
 * frame was most of the server's work: with 100 clients chatting, gathering more than doubles
 * the messages the room delivers per second. A quiet room loses nothing: the frame leaves at the
 * end of the turn that made it, a fraction of a millisecond later.
 *
 * A turn can also make a great many frames: when a thousand members drop at once, each of the
 * others is told of every departure. So the gathered frames leave as soon as they reach
 * FLUSH_BYTES, rather than all wait in memory for the end of the turn.
 */
function deliver(client: Client, frame: Buffer): void {
  const { socket } = client;
  if (!socket.writable) return; // it is closing: nothing more can be sent to it
  if (socket.writableCorked === 0) {
    socket.cork();
    setImmediate(() => {
      socket.uncork();
      checkQueue(client);
    });
  }
  socket.write(frame);
  if (socket.writableLength >= FLUSH_BYTES) {
    socket.uncork(); // sends what was gathered; the uncork at the end of the turn is still to come
    socket.cork();
    checkQueue(client);
  }
}

/** What the system did not take is waiting in our memory: past the limit, the client is not reading. */
function checkQueue(client: Client): void {
  if (client.socket.writableLength > MAX_QUEUED_BYTES) disconnect(client, 'not-reading');
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

/** Ends a connection at once, noting why for the log. 'close' follows and does the rest. */
function disconnect(client: Client, reason: DisconnectReason): void {
  client.closing ??= reason;
  client.socket.destroy();
}

const memberNames = (): string[] => [...room.values()].map((member) => member.name!);

/** Who is here, as a welcome or a who tells it: at most MAX_LISTED_NAMES names, and how many more. */
function roster(): Roster {
  // The first names only: a room of 10,000 is not copied whole for each welcome (a Map keeps
  // the order in which members were added, so these are the first to have joined).
  const present: string[] = [];
  for (const member of room.values()) {
    if (present.length === MAX_LISTED_NAMES) break;
    present.push(member.name!);
  }
  return room.size > present.length ? { present, more: room.size - present.length } : { present };
}

// ---- accounts --------------------------------------------------------------------------------

async function register(client: Client, name: string, password: string): Promise<void> {
  checkName(name);
  checkNewPassword(password);
  const key = name.toLowerCase();
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
  logEvent('register', client, { name });
  send(client, { type: 'registered', name });
}

const LOGIN_FAILED = 'wrong name or password';

async function login(client: Client, name: string, password: string): Promise<void> {
  checkName(name);
  const known = store.get(name);
  if (lockout.isLocked(name)) {
    // A refused login for an existing account counts as a failed one: someone is guessing.
    if (known) stats.loginFailed(known.name);
    logEvent('login-failed', client, { name, reason: 'locked' });
    throw new ProtocolError('locked', `too many failed logins for "${name}": wait a while, then try again`);
  }
  lockout.attempt(name);
  let right = false;
  if (password.length <= MAX_PASSWORD_LENGTH) {
    const matches = await verifyPassword(password, known?.password ?? (await nobody));
    right = matches && known !== undefined;
  }
  // Read again after the await: the account may have been registered meanwhile.
  const account = store.get(name);
  if (!right || !account) {
    lockout.failed(name);
    if (account) stats.loginFailed(account.name);
    logEvent('login-failed', client, { name, reason: account ? 'wrong-password' : 'unknown-name' });
    if (lockout.isLocked(name)) logEvent('lockout', client, { name });
    throw new ProtocolError('login-failed', LOGIN_FAILED);
  }
  lockout.succeeded(name);
  if (client.socket.destroyed) return; // it left while scrypt ran: 'close' has been handled already
  if (room.has(account.name.toLowerCase())) throw new ProtocolError('already-online', `${account.name} is logged in on another connection`);

  client.name = account.name;
  room.set(account.name.toLowerCase(), client);
  stats.loggedOn(client.name, client.socket.remoteAddress ?? 'unknown');
  logEvent('login', client);
  send(client, { type: 'welcome', name: client.name, ...roster() });
  // A big room is not told of every arrival: see MAX_ANNOUNCED_ROOM.
  if (room.size <= MAX_ANNOUNCED_ROOM) broadcast({ type: 'joined', name: client.name }, client);
}

// ---- the room --------------------------------------------------------------------------------

async function handleMessage(client: Client, message: ClientMessage): Promise<void> {
  if (message.type === 'register' || message.type === 'login') {
    if (client.name !== undefined) throw new ProtocolError('already-logged-in', `you are logged in as "${client.name}" already`);
    return message.type === 'register' ? register(client, message.name, message.password) : login(client, message.name, message.password);
  }
  if (client.name === undefined) throw new ProtocolError('not-logged-in', 'log in first: send {"type":"login","name":"…","password":"…"}');

  if (message.type === 'chat') {
    checkText(message.text);
    // Counted, never kept: how many bytes, not what they said.
    stats.messageSent(client.name, Buffer.byteLength(message.text, 'utf8'));
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
    // Failed logins have events of their own; every other refusal is a protocol error.
    if (err.code !== 'login-failed' && err.code !== 'locked') logEvent('protocol-error', client, { code: err.code });
    send(client, { type: 'error', code: err.code, message: err.message });
  }
}

/** Called exactly once per connection, however it ended. */
function handleClose(client: Client): void {
  clients.delete(client);
  stats.disconnected();
  logEvent('disconnect', client, { reason: client.closing ?? 'closed' });
  if (client.name === undefined) return; // never logged in: nobody to tell
  room.delete(client.name.toLowerCase());
  stats.loggedOff(client.name);
  // Nor of every departure: the room as it was, with this client, decides.
  if (!stopping && room.size + 1 <= MAX_ANNOUNCED_ROOM) broadcast({ type: 'left', name: client.name });
}

// ---- connections: the channel comes first -----------------------------------------------------

/** A connection whose handshake failed is rejected: counted, logged, closed without a word. */
function rejectHandshake(client: Client, reason: string): void {
  stats.rejected();
  logEvent('handshake-failed', client, { reason });
  disconnect(client, 'handshake-failed');
}

/** Opens the frame bodies that arrived (lab 5); undefined when the connection had to end. */
function openFrames(client: Client, bodies: Buffer[]): Buffer[] | undefined {
  const messages: Buffer[] = [];
  try {
    for (const body of bodies) {
      if (client.channel) {
        messages.push(client.channel.open(body));
        continue;
      }
      const { reply, channel } = answerHello(body, identity.privateKey);
      client.socket.write(encodeFrame(reply));
      client.channel = channel;
    }
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    if (client.channel) {
      logEvent('protocol-error', client, { code: 'channel-failed' });
      disconnect(client, 'channel-failed');
    } else {
      rejectHandshake(client, err.message);
    }
    return undefined;
  }
  return messages;
}

const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  const client: Client = { socket, address: `${socket.remoteAddress}:${socket.remotePort}` };
  clients.add(client);
  stats.connected();
  logEvent('connect', client);
  if (stopping) return disconnect(client, 'shutdown'); // accepted in the instant before the server closed
  const decoder = new FrameDecoder();
  let busy = Promise.resolve();
  socket.setNoDelay(true);

  const handshakeTimer = setTimeout(() => rejectHandshake(client, `no handshake within ${settings.handshakeTimeoutMs} ms`), settings.handshakeTimeoutMs);

  socket.on('data', (chunk) => {
    if (socket.writableEnded) return; // we have hung up on this client: ignore the rest
    let bodies: Buffer[];
    try {
      bodies = decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      if (!client.channel) return rejectHandshake(client, err.message);
      logEvent('protocol-error', client, { code: 'bad-frame' });
      send(client, { type: 'error', code: 'bad-frame', message: err.message });
      client.closing ??= 'bad-frame';
      socket.end();
      return;
    }
    const messages = openFrames(client, bodies);
    if (client.channel) clearTimeout(handshakeTimer);
    if (!messages) return;
    socket.pause();
    busy = handleFrames(client, messages).then(
      () => void socket.resume(),
      (err: unknown) => serverFault(client, err),
    );
  });

  socket.on('end', () => {
    void busy.then(() => socket.end());
  });
  socket.on('error', () => (client.closing ??= 'reset'));
  socket.on('close', () => {
    clearTimeout(handshakeTimer);
    handleClose(client);
  });
});

async function handleFrames(client: Client, messages: Buffer[]): Promise<void> {
  for (const message of messages) await handleFrame(client, message);
}

/**
 * A fault of the server's own while it handled one client's message: a bug, not bad input (that
 * is a ProtocolError, answered above). The room must not go down with it, so it is reported with
 * its cause and only this client is let go.
 */
function serverFault(client: Client, err: unknown): void {
  console.error(`${client.address}: server error, disconnecting this client:`, err);
  disconnect(client, 'server-error');
}

// ---- shutdown: tell everyone, close everything, save, exit ---------------------------------------

/** How long clients get to close their side after the notice, before the server cuts them off. */
const SHUTDOWN_GRACE_MS = 2000;
let stopping = false;

async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('shutting down: telling every client, closing every connection…');
  server.close(); // no new connections
  const closed = [...clients].map((client) => new Promise((resolve) => client.socket.once('close', resolve)));
  for (const client of clients) {
    client.closing ??= 'shutdown';
    if (client.channel && client.socket.writable) {
      send(client, { type: 'shutdown', message: 'The server is shutting down. Goodbye!' });
      client.socket.end(); // after the notice: the notice leaves first, then the FIN
    } else {
      client.socket.destroy(); // no channel, no way to say it: just close
    }
  }
  const grace = setTimeout(() => clients.forEach((client) => client.socket.destroy()), SHUTDOWN_GRACE_MS);
  await Promise.all(closed);
  clearTimeout(grace);
  try {
    await stats.close();
  } catch (err) {
    console.error(`could not save the statistics: ${(err as Error).message}`);
  }
  log.write('server-stop', { reason });
  log.close();
  console.log('stopped');
  process.exit(0);
}

process.on('SIGINT', () => {
  if (stopping) process.exit(130); // a second Ctrl+C: stop now
  console.log('\n(Ctrl+C: shutting down cleanly; press it again to stop at once)');
  void shutdown('SIGINT');
});
process.on('SIGTERM', () => void shutdown('SIGTERM'));

startConsole({
  who: () => `present (${room.size}): ${memberNames().join(', ') || 'nobody'}`,
  auditTable: () => formatAuditTable(stats.audit()),
  auditJson: () => JSON.stringify(stats.audit()),
  saveAudit: async () => {
    const file = path.join(settings.dataDir, 'audit-report.txt');
    await writeFileAtomically(file, formatAuditTable(stats.audit()) + '\n');
    return file;
  },
  shutdown: () => void shutdown('shutdown'),
});

// ---- listening ------------------------------------------------------------------------------

server.on('error', (err: NodeJS.ErrnoException) => {
  const why: Record<string, string> = {
    EADDRINUSE: `port ${settings.port} is already in use (is another server running?)`,
    EADDRNOTAVAIL: `${settings.host} is not an address of this machine`,
    EACCES: `no permission to listen on port ${settings.port} (ports below 1024 need special rights)`,
    ENOTFOUND: `the host name "${settings.host}" does not resolve`,
  };
  console.error(`Cannot start: ${why[err.code ?? ''] ?? err.message}`);
  process.exit(1);
});

server.listen(settings.port, settings.host, () => {
  const { address, port } = server.address() as net.AddressInfo;
  log.write('server-start', { address: `${address}:${port}` });
  console.log(`listening on ${address}:${port}`);
  console.log(['reachable at:', ...reachableAddresses(address, port).map((where) => `  ${where}`)].join('\n'));
  console.log('console commands: help, who, audit, audit json, audit save, shutdown');
});
