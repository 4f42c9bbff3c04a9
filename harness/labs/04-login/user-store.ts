// The harness's own reading of lab 4's user store (docs/protocol.md, "The user store"): the
// file the learner's program keeps in its data folder. Written apart from any solution, so the
// tests judge the file by the documented format, not by the code that wrote it.

import { createHash, scrypt } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { show } from '../../kit/chat-client.ts';
import { ScenarioFailure, check } from '../../kit/failure.ts';
import { STORE_FILE } from './test-settings.ts';

export interface StoredAccount {
  name: string;
  password: { algorithm: string; N: number; r: number; p: number; salt: string; hash: string };
}

export const storePath = (dataDir: string): string => path.join(dataDir, STORE_FILE);

/** The store's bytes; `when` says in the failure message at which point the file was expected. */
export function readStore(dataDir: string, when: string): Buffer {
  return whenPresent(when, () => readFileSync(storePath(dataDir)));
}

/**
 * Which file the store is: on POSIX its inode, on Windows its file index. A file replaced by a
 * rename is a new file with a new identity; a file rewritten in place keeps its identity.
 */
export function storeIdentity(dataDir: string, when: string): bigint {
  return whenPresent(when, () => statSync(storePath(dataDir), { bigint: true }).ino);
}

/** Runs `look` on the store file; a missing or unreadable one is the program's failure. */
function whenPresent<T>(when: string, look: () => T): T {
  try {
    return look();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScenarioFailure(`There is no ${STORE_FILE} in the data folder ${when}.`, {
      kind: 'mismatch',
      expected: `the user store at <--data folder>/${STORE_FILE}`,
      actual: code === 'ENOENT' ? 'no such file' : `${code}: ${(err as Error).message}`,
    });
  }
}

/** Parses the store and checks its shape; returns the accounts by name in lower case. */
export function parseStore(bytes: Buffer, when: string): Map<string, StoredAccount> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ScenarioFailure(`${STORE_FILE} is not valid JSON ${when}: a server started now would find no accounts in it.`, {
      kind: 'mismatch',
      expected: 'a complete JSON document',
      actual: `${bytes.length} bytes: ${show(bytes.toString('utf8'))} (${(err as Error).message})`,
    });
  }
  const looksLikeStore = isObject(value) && value.version === 1 && isObject(value.accounts);
  check(looksLikeStore, `${STORE_FILE} is not shaped like a user store ${when}.`, {
    expected: '{"version":1,"accounts":{"alice":{"name":"alice","password":{…}}}}',
    actual: show(value),
  });
  const accounts = new Map<string, StoredAccount>();
  for (const [key, account] of Object.entries((value as { accounts: Record<string, unknown> }).accounts)) {
    check(isAccount(account) && account.name.toLowerCase() === key, `The account "${key}" in ${STORE_FILE} does not have the documented shape ${when}.`, {
      expected: `"${key}": {"name":"${key}","password":{"algorithm":"scrypt","N":…,"r":…,"p":…,"salt":"<hex>","hash":"<hex>"}} (the key is the name in lower case)`,
      actual: show(account),
    });
    accounts.set(key, account);
  }
  return accounts;
}

/**
 * Fails if the file holds a password as it is, or in a form anyone can turn back or look up:
 * hex, base64, or an unsalted fast hash (MD5, SHA-1, SHA-256, SHA-512) in hex or base64.
 */
export function checkNoPasswordIn(bytes: Buffer, passwords: string[]): void {
  const text = bytes.toString('utf8');
  const lower = text.toLowerCase();
  for (const password of passwords) {
    const plain = Buffer.from(password, 'utf8');
    const forms: [form: string, what: string][] = [
      [password, 'the password itself'],
      [plain.toString('hex'), 'the password in hex'],
      [plain.toString('base64'), 'the password in base64'],
    ];
    for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512']) {
      const digest = createHash(algorithm).update(plain).digest();
      forms.push([digest.toString('hex'), `its unsalted ${algorithm.toUpperCase()} hash, in hex`], [digest.toString('base64'), `its unsalted ${algorithm.toUpperCase()} hash, in base64`]);
    }
    for (const [form, what] of forms) {
      const found = /^[0-9a-f]+$/.test(form) ? lower.includes(form) : text.includes(form);
      if (!found) continue;
      throw new ScenarioFailure(`${STORE_FILE} contains ${what} for the password ${show(password)}: whoever reads the file has the password.`, {
        kind: 'mismatch',
        expected: 'only a random salt and what scrypt made of the password with it',
        actual: `"${form.length > 70 ? `${form.slice(0, 70)}…` : form}" found in the file`,
      });
    }
  }
}

/** What scrypt makes of `password` with the salt and parameters stored for `account`, in hex. */
export function scryptAsStored(password: string, account: StoredAccount): Promise<string> {
  const { N, r, p, salt, hash } = account.password;
  return new Promise((resolve, reject) => {
    scrypt(password, Buffer.from(salt, 'hex'), hash.length / 2, { N, r, p, maxmem: 2 * 128 * N * r }, (err, key) => (err ? reject(err) : resolve(key.toString('hex'))));
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAccount(value: unknown): value is StoredAccount {
  if (!isObject(value) || typeof value.name !== 'string' || !isObject(value.password)) return false;
  const { algorithm, N, r, p, salt, hash } = value.password;
  const hex = (s: unknown) => typeof s === 'string' && /^(?:[0-9a-f]{2})+$/.test(s);
  return typeof algorithm === 'string' && Number.isInteger(N) && Number.isInteger(r) && Number.isInteger(p) && hex(salt) && hex(hash);
}
