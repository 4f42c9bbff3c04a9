// Test program: starts a child process that would outlive it, then listens.
import { spawn } from 'node:child_process';
import net from 'node:net';

const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const server = net.createServer((socket) => socket.on('error', () => {}));
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { address, port } = server.address() as net.AddressInfo;
  console.log(`child ${child.pid}`);
  console.log(`listening on ${address}:${port}`);
});
