// The fan-out ceiling: the least work a Node server can do for the room's traffic. It reads
// length-prefixed frames (docs/protocol.md, lab 2) and writes each whole frame, as received,
// to every other connection: no JSON, no checks, no crypto, no accounts. What the room delivers
// per second divided by what this delivers is the price of everything the room does.
//
// Like the room it writes one frame per write per recipient (so the ratio compares the work
// per message, not the number of system calls). With --batch it corks each recipient's socket
// at its first frame in a turn of the event loop and uncorks them all at the end of the turn
// (setImmediate): every frame for one recipient in that turn goes out in one system call.
// That is what batching alone buys, and what a room could do too.
//
//   node --import tsx harness/bench/ceiling-server.ts <port> [--batch]
// Prints "listening on 127.0.0.1:<port>" when ready, as every lab program does.

import net from 'node:net';

const HEADER_BYTES = 4;
const MAX_BODY_BYTES = 64 * 1024;

const port = Number(process.argv[2] ?? 0);
const batch = process.argv.includes('--batch');
const clients = new Set<net.Socket>();

const corked = new Set<net.Socket>();
const uncorkAll = () => {
  for (const socket of corked) socket.uncork();
  corked.clear();
};

function relay(from: net.Socket, frame: Buffer): void {
  for (const other of clients) {
    if (other === from || !other.writable) continue;
    if (batch && !corked.has(other)) {
      if (corked.size === 0) setImmediate(uncorkAll);
      other.cork();
      corked.add(other);
    }
    other.write(frame);
  }
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  clients.add(socket);
  let pending: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    const bytes = pending ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (bytes.length - at >= HEADER_BYTES) {
      const length = bytes.readUInt32BE(at);
      if (length > MAX_BODY_BYTES) return socket.destroy(); // not our traffic: a benchmark never sends this
      if (bytes.length - at - HEADER_BYTES < length) break;
      relay(socket, bytes.subarray(at, at + HEADER_BYTES + length));
      at += HEADER_BYTES + length;
    }
    pending = at < bytes.length ? Buffer.from(bytes.subarray(at)) : undefined;
  });
  socket.on('error', () => {});
  socket.on('close', () => clients.delete(socket));
});

server.listen(port, '127.0.0.1', () => {
  const { address, port: actual } = server.address() as net.AddressInfo;
  console.log(`listening on ${address}:${actual}`);
});
