// Accounts for the room's load: each logged-in connection needs an account of its own (one
// account is logged in once at a time). Registering thousands through the room would time the
// store's atomic rewrite (the whole file, fsync'd, per account) rather than the room, so the
// benchmark writes users.json itself, in the documented format (docs/protocol.md, "The user
// store"), and measures the scrypt cost of doing so; the connections benchmark times
// registrations through the room separately.

import { randomBytes, scrypt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_SCRYPT_N } from './servers-under-test.ts';

export const BENCH_PASSWORD = 'bench-password-1';

/** Names the room accepts (letters, digits, 1–20 characters), distinct, and sortable: u00000, u00001… */
export const clientName = (index: number): string => `u${String(index).padStart(5, '0')}`;

export interface StoredAccount {
  name: string;
  password: { algorithm: 'scrypt'; N: number; r: number; p: number; salt: string; hash: string };
}

function hash(salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(BENCH_PASSWORD, salt, 32, { N: BENCH_SCRYPT_N, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Hashes the password once per account, each with its own salt (libuv's thread pool runs
 * several at once), and returns the accounts; `seedStore` writes them into a data folder.
 */
export async function makeAccounts(names: readonly string[]): Promise<{ accounts: Record<string, StoredAccount>; ms: number }> {
  const started = performance.now();
  const accounts: Record<string, StoredAccount> = {};
  const inFlight = 8;
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      const salt = randomBytes(16);
      const key = await hash(salt);
      accounts[name.toLowerCase()] = { name, password: { algorithm: 'scrypt', N: BENCH_SCRYPT_N, r: 8, p: 1, salt: salt.toString('hex'), hash: key.toString('hex') } };
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { accounts, ms: performance.now() - started };
}

/** Writes `<dataDir>/users.json` holding `accounts`, as the room's store would have. */
export function seedStore(dataDir: string, accounts: Record<string, StoredAccount>): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'users.json'), JSON.stringify({ version: 1, accounts }) + '\n');
}
