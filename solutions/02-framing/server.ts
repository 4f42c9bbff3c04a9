// Lab 2 (reference solution): a frame echo server.
//
// Every frame a client sends comes back to that client as a frame with the same body.
// A client that breaks the format (a length over the limit, bytes that are not frames)
// is disconnected at once; every other client carries on.
// Run it by hand:  node --import tsx solutions/02-framing/server.ts 8080

import net from 'node:net';
import { FrameDecoder, FrameError, encodeFrame } from './framing.ts';

const port = Number(process.argv[2] ?? 8080);

const server = net.createServer((socket) => {
  const client = `${socket.remoteAddress}:${socket.remotePort}`;

  // One decoder per connection: it holds this client's unfinished frame, and nobody else's.
  const decoder = new FrameDecoder();

  // Nagle's algorithm holds a small write back while an earlier one is unacknowledged, and
  // the client may delay its acknowledgement by up to ~40 ms. We only ever write whole
  // frames, so there is nothing to gain from waiting: send each write at once.
  socket.setNoDelay(true);

  socket.on('data', (chunk) => {
    let bodies: Buffer[];
    try {
      // A chunk may hold part of a frame, one frame, or many: the decoder sorts that out.
      bodies = decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof FrameError)) throw err;
      // After a framing error we no longer know where the next frame starts, so nothing
      // more from this client can be trusted. Drop the connection now: no reply, and no
      // waiting for (or making room for) a body we have already refused.
      console.error(`connection ${client}: ${err.message}; disconnecting it`);
      socket.destroy();
      return;
    }
    // encodeFrame puts header and body in one buffer, so each frame leaves in one write.
    // (Two writes, header then body, can cost ~40 ms per frame: see docs/02-framing.md.)
    for (const body of bodies) socket.write(encodeFrame(body));
  });

  socket.on('end', () => {
    if (decoder.buffered > 0) console.error(`connection ${client} ended in the middle of a frame (${decoder.buffered} bytes dropped)`);
  });

  // As in lab 1: an 'error' event with no listener would stop the whole server.
  socket.on('error', (err) => {
    console.error(`connection ${client}: ${err.message}`);
  });
});

server.on('error', (err: NodeJS.ErrnoException) => {
  console.error(err.code === 'EADDRINUSE' ? `Port ${port} is already in use.` : `Server error: ${err.message}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  const { address, port: actual } = server.address() as net.AddressInfo;
  console.log(`listening on ${address}:${actual}`);
});
