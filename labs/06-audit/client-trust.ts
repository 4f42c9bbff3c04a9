// Lab 6: whether to trust the server's key. Given complete.
//
// Lab 5's client trusted a server met for the first time without a word (trust on first use)
// and refused a changed key (known-servers.ts). The finished client asks the person first, as
// SSH does: it shows the key's fingerprint, which they can compare with the one the server's
// operator sees, and remembers the key only once they agree. So it needs to look a key up
// without remembering it: that is rememberedKey() below. The rest is lab 5's checkServerKey().

import { existsSync, readFileSync } from 'node:fs';
import { checkServerKey } from './known-servers.ts';

/** The fingerprint the known-servers `file` holds for `address` ("host:port"), if any. */
export function rememberedKey(file: string, address: string): string | undefined {
  if (!existsSync(file)) return undefined;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const [where, key] = line.trim().split(/\s+/);
    if (where && !where.startsWith('#') && where === address) return key;
  }
  return undefined;
}

/** The server was not trusted: nothing was sent. `message` says why and what to do. */
export class NotTrustedError extends Error {
  override name = 'NotTrustedError';
}

/**
 * Decides whether to go on with a server that proved it holds the key `fingerprint`.
 * A key the file knows: yes. Another key than the one remembered: never (lab 5's
 * ServerKeyChangedError, with its warning, is thrown). A server met for the first time: only if
 * `ask` says yes; then it is remembered. Returns what the person should be told.
 */
export async function trustServer(file: string, address: string, fingerprint: string, ask: () => Promise<boolean>): Promise<string> {
  try {
    if (rememberedKey(file, address) === undefined) {
      if (!(await ask())) throw new NotTrustedError(`${address} is not trusted: nothing was sent.`);
    }
    // Remembers a new key, accepts a known one, throws ServerKeyChangedError for a changed one.
    return checkServerKey(file, address, fingerprint) === 'new'
      ? `the key of ${address} is remembered in ${file}`
      : `${address} is the server you trusted before (its key has not changed)`;
  } catch (err) {
    // A file we cannot read or write (a folder, no permission): without it, no key can be checked.
    if ((err as NodeJS.ErrnoException).code?.startsWith('E')) throw new NotTrustedError(`cannot use the known-servers file: ${(err as Error).message}`);
    throw err;
  }
}
