// Lab 1 (reference solution): an echo server.
//
// Every byte a client sends comes back to that client, unchanged and in order.
// Run it by hand:  node --import tsx solutions/01-echo/server.ts 8080

import net from 'node:net';

const port = Number(process.argv[2] ?? 8080);

// The *server* socket only accepts. Each accepted connection gets its own *connection*
// socket, passed to this handler: everything about one client lives in here.
const server = net.createServer((socket) => {
  const client = `${socket.remoteAddress}:${socket.remotePort}`;

  // TCP is a byte stream, not a sequence of messages: one write by the client can arrive
  // as several 'data' chunks, and several writes as one. An echo server does not care
  // where the chunks are cut; it sends each one back as it comes, as raw bytes (a Buffer,
  // never a string: not every byte sequence is valid text).
  socket.on('data', (chunk) => {
    socket.write(chunk);
  });

  // 'end' means the client has finished sending (it half-closed: FIN). Node's default
  // (allowHalfOpen: false) then ends our side too, once everything written has been sent.
  // So the echo completes first, then the connection closes. Nothing to do here.

  // A socket reports problems (the client vanished: ECONNRESET, EPIPE) as an 'error'
  // event. An 'error' event with no listener throws and stops the whole process, so
  // every socket gets a listener. The socket closes by itself after an error.
  socket.on('error', (err) => {
    console.error(`connection ${client}: ${err.message}`);
  });
});

// The server socket can fail too, most often because the port is taken.
server.on('error', (err: NodeJS.ErrnoException) => {
  console.error(err.code === 'EADDRINUSE' ? `Port ${port} is already in use.` : `Server error: ${err.message}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  const { address, port: actual } = server.address() as net.AddressInfo;
  console.log(`listening on ${address}:${actual}`);
});
