// Lab 6: the addresses other people can use to reach the server. Given complete.
//
// A server listening on 0.0.0.0 accepts connections on every IPv4 address of the machine, but
// "0.0.0.0" is not an address anyone can connect to: a person needs the machine's real ones.

import os from 'node:os';

/** "host:port" for each address a client could use, this machine's own (loopback) first. */
export function reachableAddresses(host: string, port: number): string[] {
  const everywhere = host === '0.0.0.0' || host === '::';
  if (!everywhere) return [hostPort(host, port)];
  const found: { address: string; internal: boolean }[] = [];
  for (const entries of Object.values(os.networkInterfaces())) {
    for (const entry of entries ?? []) {
      // 0.0.0.0 is IPv4 only; :: takes IPv6 too (and IPv4, on most systems).
      if (entry.family === 'IPv4' || host === '::') found.push(entry);
    }
  }
  found.sort((a, b) => Number(b.internal) - Number(a.internal));
  return found.map((entry) => `${hostPort(entry.address, port)}${entry.internal ? ' (this machine only)' : ''}`);
}

const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
