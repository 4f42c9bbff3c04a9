// Lab 6: the finished chat room, one its operator can trust.
//
// Goal: lab 5's room, unchanged on the wire, and what the original room's operator had, done
// right: statistics that are exact and survive a crash, an event log with no secrets in it,
// console commands that answer at once, and a shutdown that tells every client first.
// Read the guide first:  npm run docs 6        Test your work:  npm run lab 6
//
// Yours: stats.ts (counting and saving), event-log.ts (the log and its rotation), console.ts
// (reading commands), and in this file the TODOs: count and log each event where it happens,
// and shut down cleanly. Given, complete: lab 5's room (all of this file but the TODOs; a big
// room is no longer told of every join and leave: MAX_ANNOUNCED_ROOM in protocol.ts),
// messages.ts (lab 5's checks, moved to a module), atomic-file.ts (lab 4's atomic write, shared
// by the store and the statistics), audit-table.ts and addresses.ts (presentation), settings.ts
// (the command line), the finished room's client (client.ts and its client-*.ts and chat-*.ts
// modules), and the files of labs 2 to 5.
// The harness runs this file as
//   node server.ts 0 --data <folder> --scrypt-n 1024 --lockout-ms 1500 --handshake-timeout-ms 1000
//                    --host 127.0.0.1 --stats-interval-ms 200
// with its standard input in a pipe (the console), and waits for   listening on 127.0.0.1:<port>

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

/** Every open connection, logged in or not: shutdown must close them all. */
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

const encode = (message: ServerMessage): Buffer => Buffer.from(JSON.stringify(message), 'utf8');

function frameFor(client: Client, plaintext: Buffer): Buffer {
  return encodeFrame(client.channel!.seal(plaintext));
}

/** Writes one frame; a client past MAX_QUEUED_BYTES is not reading, and is let go. */
function deliver(client: Client, frame: Buffer): void {
  if (!client.socket.writable) return; // it is closing: nothing more can be sent to it
  client.socket.write(frame);
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
  // TODO: log the registration (the name, never the password).
  send(client, { type: 'registered', name });
}

const LOGIN_FAILED = 'wrong name or password';

async function login(client: Client, name: string, password: string): Promise<void> {
  checkName(name);
  const known = store.get(name);
  if (lockout.isLocked(name)) {
    // TODO: a refused login: count it for the account, if there is one, and log it (reason: locked).
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
    // TODO: a failed login: count it for the account, if there is one, and log it with its
    //       reason (wrong-password or unknown-name). If this failure locked the name, log that too.
    throw new ProtocolError('login-failed', LOGIN_FAILED);
  }
  lockout.succeeded(name);
  if (client.socket.destroyed) return; // it left while scrypt ran: 'close' has been handled already
  if (room.has(account.name.toLowerCase())) throw new ProtocolError('already-online', `${account.name} is logged in on another connection`);

  client.name = account.name;
  room.set(account.name.toLowerCase(), client);
  // TODO: a logon, from this connection's IP address (no port): count it, and log it.
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
    // TODO: count the message and its size in UTF-8 bytes; never keep what it says.
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
    // TODO: log every refusal as a protocol error, with its code; but not login-failed and
    //       locked, which were logged as failed logins already.
    send(client, { type: 'error', code: err.code, message: err.message });
  }
}

/** Called exactly once per connection, however it ended. */
function handleClose(client: Client): void {
  clients.delete(client);
  // TODO: the connection is no longer open: count it, and log the disconnect with its reason
  //       (client.closing, noted when the server decided to close; if nobody did: closed).
  if (client.name === undefined) return; // never logged in: nobody to tell
  room.delete(client.name.toLowerCase());
  // TODO: a logoff, however the connection ended: count it.
  // Nor of every departure: the room as it was, with this client, decides.
  if (!stopping && room.size + 1 <= MAX_ANNOUNCED_ROOM) broadcast({ type: 'left', name: client.name });
}

// ---- connections: the channel comes first -----------------------------------------------------

/** A connection whose handshake failed is rejected: closed without a word. */
function rejectHandshake(client: Client, reason: string): void {
  // TODO: a rejected connection: count it, and log why its handshake failed (`reason`).
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
      // TODO: a sealed frame that did not open: log it as a protocol error (code channel-failed).
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
  // TODO: a new connection: count it, and log it.
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
      // TODO: a frame that breaks the framing rules: log it as a protocol error (code bad-frame).
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
/** Set once the shutdown has begun: new connections are closed, nobody is told who left. */
let stopping = false;

async function shutdown(reason: string): Promise<void> {
  // TODO: once only: a second shutdown while the first is under way does nothing.
  // TODO: stop accepting connections.
  // TODO: every client whose handshake is done gets the sealed notice
  //       {"type":"shutdown","message":"…"} as its last message, then its connection ends with a
  //       FIN (not a reset); a connection still in its handshake is simply closed.
  // TODO: wait until every connection has closed; after SHUTDOWN_GRACE_MS, close the rest.
  // TODO: then save the statistics, log server-stop (with `reason`), close the log, and exit
  //       with code 0.
  console.log(`shutdown (${reason}): not written yet (server.ts); the server goes on`);
}

// TODO: Ctrl+C (SIGINT) and SIGTERM shut down the same way, with the signal's name as the reason.
//       (Until you write this, Ctrl+C stops the server at once, as in lab 5: nothing is saved.)

// ---- the console: the operator's commands, on standard input ------------------------------------

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
  // TODO: log server-start, with the address and port it listens on.
  console.log(`listening on ${address}:${port}`);
  console.log(['reachable at:', ...reachableAddresses(address, port).map((where) => `  ${where}`)].join('\n'));
  console.log('console commands: help, who, audit, audit json, audit save, shutdown');
});
