// Lab 2: a frame echo server.
//
// Goal: every frame a client sends comes back to that client as a frame with the same body.
// A client that breaks the frame format is disconnected; every other client carries on.
// Read the guide first:  npm run docs 2        Test your work:  npm run lab 2
//
// How the harness runs this file (the same contract as lab 1):
//   node server.ts <port>     the tests pass port 0, which means "any free port";
//   once listening, print     listening on 127.0.0.1:<port>
// The code at the bottom already does both. Most of the work is in framing.ts.

import net from 'node:net';
import { FrameDecoder, FrameError, encodeFrame } from './framing.ts';

const server = net.createServer((socket) => {
  // One decoder per connection: it holds this client's unfinished frame, and nobody else's.
  const decoder = new FrameDecoder();

  // Send every write at once instead of waiting to merge small ones (Nagle's algorithm):
  // the guide's section "One write per frame" explains why this matters.
  socket.setNoDelay(true);

  socket.on('data', (chunk) => {
    // TODO: give the chunk to the decoder, and send back each whole body it returns as a
    //       frame, header and body in a single write (encodeFrame builds exactly that).
    // TODO: if the decoder throws a FrameError, this client broke the format: close this
    //       connection at once (and only this one). Other errors are bugs: let them throw.
  });

  socket.on('error', (err) => {
    console.error(`connection error: ${err.message}`);
  });
});

// ---- start-up: already done for you ---------------------------------------------------

const port = Number(process.argv[2] ?? 8080);
server.listen(port, '127.0.0.1', () => {
  const { address, port: actual } = server.address() as net.AddressInfo;
  console.log(`listening on ${address}:${actual}`);
});
