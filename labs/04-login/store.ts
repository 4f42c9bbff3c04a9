// Lab 4: the user store, a JSON file that survives a crash.
//
// The file (docs/protocol.md, "The user store"; the tests read it):
//   { "version": 1, "accounts": { "alice": { "name": "alice", "password": { "algorithm": "scrypt", … } } } }
// Accounts are keyed by their name in lower case, so "Alice" and "alice" are one account.
//
// What the store promises (npm run docs 4, "A file that survives a crash"):
// - a crash at any moment leaves a complete file, holding every acknowledged account;
// - add() resolves only once the new account is on the disk;
// - a damaged store is never replaced: open() refuses it, and the server does not start.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { PasswordHash } from './passwords.ts';

export interface Account {
  /** The name as it was registered ("Alice"); the key in the file is the name in lower case. */
  name: string;
  password: PasswordHash;
}

/** The store cannot be used: the message says which file, and what is wrong with it. */
export class StoreError extends Error {
  override name = 'StoreError';
}

export class AccountStore {
  private constructor(
    readonly file: string,
    /** The accounts, by name in lower case. */
    private accounts: Map<string, Account>,
  ) {}

  /** Opens the store kept in `file`. */
  static async open(file: string): Promise<AccountStore> {
    await mkdir(path.dirname(file), { recursive: true });
    // TODO: read the file. No file yet (ENOENT) means no accounts yet: the first start.
    // TODO: anything else that goes wrong is a StoreError whose message names the file and
    //       says what is wrong: it cannot be read, it is not valid JSON, or it is not shaped
    //       like a store (check every account). Never carry on with an empty store instead.
    return new AccountStore(file, new Map());
  }

  get(name: string): Account | undefined {
    return this.accounts.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.accounts.has(name.toLowerCase());
  }

  /** Adds an account; resolves once it is safely on disk. */
  async add(account: Account): Promise<void> {
    this.accounts.set(account.name.toLowerCase(), account);
    // TODO: save the whole store to the file, and resolve only once it is on the disk:
    //       - write it to a temporary file beside the real one, flush it (filehandle.sync()),
    //         then rename it over the real one (and on POSIX, flush the folder too);
    //       - one save at a time, in order, each from the accounts the one before it saved;
    //       - if the save fails, the account must not stay in memory either.
  }
}
