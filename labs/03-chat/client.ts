// Lab 3: a small chat client, to try your server by hand. Given, complete.
//
//   node --import tsx labs/03-chat/client.ts [port]        (default 8080)
//
// Type a line and press Enter to say it. Commands: /join <name>, /who, /quit.
// A line that starts with "{" is sent exactly as typed, as the body of one frame, so you can
// see what your server does with a forged or malformed message.

import net from 'node:net';
import readline from 'node:readline';
import { encodeFrame, FrameDecoder } from './framing.ts';

const port = Number(process.argv[2] ?? 8080);
const socket = net.connect(port, '127.0.0.1');
const decoder = new FrameDecoder();

function sendJson(text: string): void {
  socket.write(encodeFrame(Buffer.from(text, 'utf8')));
}

/** One server message as one line on the screen. */
function show(body: Buffer): string {
  const message = JSON.parse(body.toString('utf8'));
  switch (message.type) {
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

socket.on('connect', () => console.log(`connected to 127.0.0.1:${port}; /join <name> to enter the room`));
socket.on('data', (chunk) => {
  for (const body of decoder.push(chunk)) console.log(show(body));
});
socket.on('error', (err) => console.log(`connection error: ${err.message}`));
socket.on('close', () => {
  console.log('disconnected');
  process.exit(0);
});

const input = readline.createInterface({ input: process.stdin });
input.on('close', () => socket.end()); // Ctrl+D (Ctrl+Z then Enter on Windows)
input.on('line', (line) => {
  if (line.startsWith('{')) sendJson(line);
  else if (line.startsWith('/join ')) sendJson(JSON.stringify({ type: 'join', name: line.slice('/join '.length) }));
  else if (line === '/who') sendJson(JSON.stringify({ type: 'who' }));
  else if (line === '/quit') socket.end();
  else sendJson(JSON.stringify({ type: 'chat', text: line }));
});
