// The fan-out ceiling: the least work a Node server can do for the room's traffic. It reads
// length-prefixed frames (docs/protocol.md, lab 2) and writes each whole frame, as received,
// to every other connection: no JSON, no checks, no crypto, no accounts. What the room delivers
// per second divided by what this delivers is the price of everything the room does.
//
// Like the room it writes one frame per write per recipient (so the ratio compares the work
// per message, not the number of system calls). With --batch it writes all the whole frames
// of one read in one write per recipient instead: what batching alone would buy.
//
//   node --import tsx harness/bench/ceiling-server.ts <port> [--batch]
// Prints "listening on 127.0.0.1:<port>" when ready, as every lab program does.

import net from 'node:net';

const HEADER_BYTES = 4;
const MAX_BODY_BYTES = 64 * 1024;

const port = Number(process.argv[2] ?? 0);
const batch = process.argv.includes('--batch');
const clients = new Set<net.Socket>();

function relay(from: net.Socket, frames: Buffer): void {
  for (const other of clients) if (other !== from && other.writable) other.write(frames);
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
      if (!batch) relay(socket, bytes.subarray(at, at + HEADER_BYTES + length));
      at += HEADER_BYTES + length;
    }
    if (batch && at > 0) relay(socket, bytes.subarray(0, at));
    pending = at < bytes.length ? Buffer.from(bytes.subarray(at)) : undefined;
  });
  socket.on('error', () => {});
  socket.on('close', () => clients.delete(socket));
});

server.listen(port, '127.0.0.1', () => {
  const { address, port: actual } = server.address() as net.AddressInfo;
  console.log(`listening on ${address}:${actual}`);
});
