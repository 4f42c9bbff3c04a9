// Lab 1: an echo server.
//
// Goal: every byte a client sends comes back to that client, unchanged and in order.
// Read the guide first:  npm run docs 1        Test your work:  npm run lab 1
//
// How the harness runs this file (do not change this part of the contract):
//   node server.ts <port>     the tests pass port 0, which means "any free port";
//   once listening, print     listening on 127.0.0.1:<port>
// The code at the bottom already does both.

import net from 'node:net';

const server = net.createServer((socket) => {
  // TODO: send back every chunk this client sends, exactly as it arrived.
  // TODO: when the client has finished sending, finish echoing and close your side too.
  // TODO: handle this socket's errors, so that one misbehaving client cannot crash the server.
});

// ---- start-up: already done for you ---------------------------------------------------

const port = Number(process.argv[2] ?? 8080);
server.listen(port, '127.0.0.1', () => {
  const { address, port: actual } = server.address() as net.AddressInfo;
  console.log(`listening on ${address}:${actual}`);
});
