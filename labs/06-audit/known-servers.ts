// Lab 5 (reference solution): the client's list of servers it knows, as SSH's known_hosts.
//
// A valid signature only proves that whoever holds *some* identity key made the handshake.
// A man in the middle has a key too. What makes the identity the right one is that the client
// remembers it: the first time it meets a server it writes down the server's fingerprint
// (trust on first use), and from then on it refuses any other key for that address.
//
// The file has one line per server:   127.0.0.1:8080 SHA256:uR3f…
// Blank lines and lines starting with "#" are ignored.

import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The server's key is not the one this client remembers for that address. */
export class ServerKeyChangedError extends Error {
  override name = 'ServerKeyChangedError';
}

/**
 * Checks the fingerprint a server proved it holds against the one remembered for `address`
 * ("host:port"). Returns 'known' when they match, 'new' after remembering a server met for
 * the first time; throws ServerKeyChangedError when they differ.
 */
export function checkServerKey(file: string, address: string, fingerprint: string): 'known' | 'new' {
  const remembered = existsSync(file) ? readFileSync(file, 'utf8').split(/\r?\n/) : [];
  for (const line of remembered) {
    const [where, key] = line.trim().split(/\s+/);
    if (!where || where.startsWith('#') || where !== address) continue;
    if (key === fingerprint) return 'known';
    throw new ServerKeyChangedError(
      [
        `WARNING: THE KEY OF ${address} HAS CHANGED.`,
        'Someone could be listening in on you (a man-in-the-middle attack), or the server got a new key.',
        `Expected: ${key}`,
        `Received: ${fingerprint}`,
        `Nothing was sent. If the server's owner confirms the new key, remove the line for ${address} from ${file}.`,
      ].join('\n'),
    );
  }
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${address} ${fingerprint}\n`);
  return 'new';
}
