// Lab 5: a chat client that talks through the secure channel. Given, complete.
//
//   node --import tsx labs/05-encryption/client.ts [port] [--host 127.0.0.1] [--known-servers <file>]
//
// It makes the handshake (channel.ts), checks the server's key against the servers it has
// met before (known-servers.ts, default ~/.socketlab/known-servers), and only then reads
// what you type. Type a line and press Enter to say it. Commands: /register <name> <password>,
// /login <name> <password>, /who, /quit. (The password still shows on your screen, but on the
// network it is now sealed.) A line that starts with "{" is sent exactly as typed, as one
// sealed frame.
//
// The tests start it too, with its input and output in pipes (docs/05-encryption.md, "The
// client"): it exits with code 0 when the server closes a working channel, and with code 1
// when the handshake fails, the server's key is refused, or a frame does not open.

import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { ChannelError, ClientHandshake, type SecureChannel } from './channel.ts';
import { encodeFrame, FrameDecoder } from './framing.ts';
import { fingerprint } from './identity.ts';
import { checkServerKey } from './known-servers.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    'known-servers': { type: 'string', default: path.join(os.homedir(), '.socketlab', 'known-servers') },
  },
});
const host = values.host;
const port = Number(positionals[0] ?? 8080);
const address = `${host}:${port}`;

const socket = net.connect(port, host);
const decoder = new FrameDecoder();
const handshake = new ClientHandshake();
/** Set once the server has proved who it is; until then nothing we type is sent. */
let channel: SecureChannel | undefined;

function fail(why: string): never {
  console.error(why);
  socket.destroy();
  process.exit(1);
}

function sendJson(text: string): void {
  socket.write(encodeFrame(channel!.seal(Buffer.from(text, 'utf8'))));
}

/** One server message as one line on the screen. */
function show(body: Buffer): string {
  const message = JSON.parse(body.toString('utf8'));
  switch (message.type) {
    case 'registered':
      return `* the account ${message.name} is registered: /login ${message.name} <password> to enter`;
    case 'welcome':
      return `* you are ${message.name}; here: ${message.present.join(', ')}${message.more ? ` and ${message.more} more` : ''}`;
    case 'joined':
      return `* ${message.name} joined`;
    case 'left':
      return `* ${message.name} left`;
    case 'chat':
      return `[${message.from}] ${message.text}`;
    case 'who':
      return `* here: ${message.present.join(', ')}${message.more ? ` and ${message.more} more` : ''}`;
    case 'error':
      return `! ${message.code}: ${message.message}`;
    default:
      return `? ${body.toString('utf8')}`;
  }
}

/** "/login alice my secret" → the message; the password is everything after the name. */
function account(type: 'register' | 'login', rest: string): string {
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  const password = space < 0 ? '' : rest.slice(space + 1);
  return JSON.stringify({ type, name, password });
}

/** The server's hello: check its signature and its key, then start reading what the user types. */
function onServerHello(body: Buffer): void {
  const finished = handshake.finish(body);
  const key = fingerprint(finished.identity);
  // Throws if this address is known with another key: nothing is sent, the user is warned.
  const seen = checkServerKey(values['known-servers'], address, key);
  channel = finished.channel;
  console.log(`secure channel to ${address}, server key ${key}${seen === 'new' ? ` (first visit: remembered in ${values['known-servers']})` : ''}`);
  readInput();
}

function readInput(): void {
  const input = readline.createInterface({ input: process.stdin });
  input.on('close', () => socket.end()); // Ctrl+D (Ctrl+Z then Enter on Windows), or the end of piped input
  input.on('line', (line) => {
    if (line.startsWith('{')) sendJson(line);
    else if (line.startsWith('/register ')) sendJson(account('register', line.slice('/register '.length)));
    else if (line.startsWith('/login ')) sendJson(account('login', line.slice('/login '.length)));
    else if (line === '/who') sendJson(JSON.stringify({ type: 'who' }));
    else if (line === '/quit') socket.end();
    else sendJson(JSON.stringify({ type: 'chat', text: line }));
  });
}

socket.on('connect', () => socket.write(encodeFrame(handshake.hello)));
socket.on('data', (chunk) => {
  try {
    for (const body of decoder.push(chunk)) {
      if (!channel) onServerHello(body);
      else console.log(show(channel.open(body)));
    }
  } catch (err) {
    fail(err instanceof ChannelError ? `secure channel failed: ${err.message}` : (err as Error).message);
  }
});
socket.on('error', (err) => fail(`connection error: ${err.message}`));
socket.on('close', () => {
  if (!channel) fail('the server closed the connection before the handshake was done');
  console.log('disconnected');
  process.exit(0);
});
