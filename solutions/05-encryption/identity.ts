// Lab 5 (reference solution): the server's long-term identity key.
//
// The server signs every handshake with one Ed25519 key that never changes, so a client can
// recognise it from one connection to the next (known-servers.ts). It is created on the first
// start, kept in the data folder, and reused after: a new key at every start would look, to
// every client that knows the server, exactly like a man in the middle.

import crypto, { type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rawPublicKey } from './channel.ts';

export const IDENTITY_FILE = 'identity-key.pem';

export interface Identity {
  privateKey: KeyObject;
  /** What a person compares: "SHA256:" and 43 characters of base64. */
  fingerprint: string;
}

/** A short, stable name for a public key: its SHA-256, in unpadded base64, as SSH shows keys. */
export function fingerprint(publicKey: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}

/** Loads the identity from `dataDir`, or creates it there on the first start. */
export function loadOrCreateIdentity(dataDir: string): Identity {
  const file = path.join(dataDir, IDENTITY_FILE);
  if (!existsSync(file)) {
    // Made straight in the file's format (PKCS#8 PEM): see newKeyPair() in channel.ts for why a
    // key fresh from the generator is not exported afterwards.
    const { privateKey: pem } = crypto.generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    mkdirSync(dataDir, { recursive: true });
    // Written to a temporary file, then renamed: a crash leaves either no key or the whole key.
    // Mode 0o600: only the server's own user may read it (ignored on Windows).
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, pem, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, file);
  }
  // A file that does not hold a key is an error to fix by hand, never a reason to make a new
  // key silently: every client would then see a changed key.
  const privateKey: KeyObject = crypto.createPrivateKey(readFileSync(file, 'utf8'));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} does not hold an Ed25519 private key`);
  return { privateKey, fingerprint: fingerprint(rawPublicKey(crypto.createPublicKey(privateKey))) };
}
