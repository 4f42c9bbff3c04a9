// Lab 1's scenarios, in the order they are taught. The manifest lists them; echo.lab.ts
// implements them; docs/01-echo.md describes them in "What the tests do".

import type { ScenarioSpec } from '../../manifest.ts';

export const echoScenarios: ScenarioSpec[] = [
  {
    id: 'echo-text',
    title: 'a client sends one line of text and gets the same bytes back',
    hint: 'In the connection handler, write every chunk you receive back to the same socket: socket.on("data", chunk => socket.write(chunk)).',
  },
  {
    id: 'every-byte-value',
    title: 'all 256 byte values (0 to 255) come back unchanged',
    hint: 'Echo the Buffer you received as it is. Converting it to a string (toString(), setEncoding) changes bytes that are not valid UTF-8.',
  },
  {
    id: 'large-payload',
    title: 'a 4 MiB payload comes back complete and in order',
    hint: 'TCP is a byte stream: a big message arrives as many "data" chunks. Echo every chunk, not just the first.',
  },
  {
    id: 'concurrent-clients',
    title: '10 clients connected at once, writing in turns, each get exactly their own bytes back',
    hint: 'Each connection gets its own socket object in the connection handler. Keep per-client state inside that handler, never in one shared variable.',
  },
  {
    id: 'half-close',
    title: 'the client finishes sending (half-close); the server echoes everything, then closes its side',
    hint: 'When the client ends its side you get an "end" event. Finish echoing, then call socket.end(). (Node does this for you unless allowHalfOpen is true.)',
  },
  {
    id: 'client-reset',
    title: 'a client resets its connection abruptly; the server survives and serves the next client',
    hint: 'A reset makes the socket emit "error" (ECONNRESET). An "error" event with no listener crashes the whole process: add socket.on("error", …).',
    ownProgram: true,
  },
  {
    id: 'connect-churn',
    title: '200 clients connect and disconnect in quick succession; the server still echoes afterwards',
    hint: 'Every connection must be cleaned up when it closes. Look for sockets you keep, listeners you add to the server per connection, or errors you do not handle.',
    ownProgram: true,
    timeoutMs: 15_000,
  },
];
