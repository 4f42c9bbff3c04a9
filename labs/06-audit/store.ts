// Lab 6: the user store of lab 4, a JSON file that survives a crash. Given complete: the only
// change from lab 4 is that the atomic write moved to atomic-file.ts, which the statistics share.
//
// The file (docs/protocol.md, "The user store"):
//   { "version": 1, "accounts": { "alice": { "name": "alice", "password": { "algorithm": "scrypt", … } } } }
// Accounts are keyed by their name in lower case, so "Alice" and "alice" are one account.
//
// Three promises, and how they are kept:
// - a crash at any moment leaves a complete file: every save writes a new file beside the old
//   one and renames it over the old one (atomic-file.ts); a rename replaces the file in one
//   step, so the name users.json always holds either the old version or the new one;
// - an acknowledged account is on disk: add() resolves only once the new file, and the
//   folder entry that names it, have been flushed to the disk (fsync);
// - a corrupt store is never replaced: open() refuses it, and the server does not start.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from './atomic-file.ts';
import type { PasswordHash } from './passwords.ts';

export interface Account {
  /** The name as it was registered ("Alice"); the key in the file is the name in lower case. */
  name: string;
  password: PasswordHash;
}

interface StoreFile {
  version: 1;
  accounts: Record<string, Account>;
}

/** The store cannot be used: the message says which file, and what is wrong with it. */
export class StoreError extends Error {
  override name = 'StoreError';
}

export class AccountStore {
  /** The saves, one after the other: each starts when the one before it has finished. */
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    /** The accounts known to be on disk. */
    private accounts: Map<string, Account>,
  ) {}

  /** Opens the store: no file yet means no accounts yet; a file that cannot be used is an error. */
  static async open(file: string): Promise<AccountStore> {
    await mkdir(path.dirname(file), { recursive: true });
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      // Only "there is no such file" means "no accounts yet": the first start.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new AccountStore(file, new Map());
      throw new StoreError(`cannot read the user store ${file}: ${(err as Error).message}`);
    }
    return new AccountStore(file, parseStore(file, text));
  }

  get(name: string): Account | undefined {
    return this.accounts.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.accounts.has(name.toLowerCase());
  }

  /**
   * Adds an account and resolves once it is safely on disk. Saves run one at a time: two
   * registrations at once must not write the same temporary file together, and each save
   * must start from the accounts the one before it saved.
   */
  add(account: Account): Promise<void> {
    const save = this.saving.then(async () => {
      const next = new Map(this.accounts).set(account.name.toLowerCase(), account);
      await this.write(next);
      this.accounts = next; // only now: a failed write leaves the store as it was
    });
    this.saving = save.catch(() => {}); // one failed save must not stop the ones after it
    return save;
  }

  /** Replaces the file with one holding `accounts`, atomically and durably (atomic-file.ts). */
  private async write(accounts: Map<string, Account>): Promise<void> {
    const content: StoreFile = { version: 1, accounts: Object.fromEntries(accounts) };
    await writeFileAtomically(this.file, JSON.stringify(content, null, 2) + '\n');
  }
}

// ---- reading the file: it may hold anything ---------------------------------------------------

function parseStore(file: string, text: string): Map<string, Account> {
  const corrupt = (why: string) =>
    new StoreError(
      `the user store ${file} is damaged: ${why}.\n` +
        'The server will not start with it, and has not changed it. Restore it from a backup, or move it away to start with no accounts.',
    );
  // What a crash right after truncating the file leaves (the original room saved that way).
  if (text.length === 0) throw corrupt('it is empty (0 bytes)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw corrupt(`it is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(value) || value.version !== 1 || !isObject(value.accounts)) {
    throw corrupt('it is not a user store: expected {"version":1,"accounts":{…}}');
  }
  const accounts = new Map<string, Account>();
  for (const [key, account] of Object.entries(value.accounts)) {
    if (!isAccount(account) || account.name.toLowerCase() !== key) throw corrupt(`the account "${key}" is incomplete or malformed`);
    accounts.set(key, account);
  }
  return accounts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HEX = /^(?:[0-9a-f]{2})+$/;

function isAccount(value: unknown): value is Account {
  if (!isObject(value) || typeof value.name !== 'string' || !isObject(value.password)) return false;
  const { algorithm, N, r, p, salt, hash } = value.password;
  const smallInteger = (n: unknown, max: number) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= max;
  return (
    algorithm === 'scrypt' &&
    // A stored cost is trusted with the server's memory: keep it within what settings.ts allows.
    smallInteger(N, 2 ** 20) &&
    Number.isInteger(Math.log2(N as number)) &&
    smallInteger(r, 32) &&
    smallInteger(p, 16) &&
    typeof salt === 'string' &&
    HEX.test(salt) &&
    typeof hash === 'string' &&
    HEX.test(hash)
  );
}
