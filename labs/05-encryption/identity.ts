// Lab 5: the server's long-term identity key. This file is yours.
//
// The server signs every handshake with one Ed25519 key that never changes, so a client can
// recognise it from one connection to the next (known-servers.ts). It is created on the first
// start, kept in the data folder, and reused after: a new key at every start would look, to
// every client that knows the server, exactly like a man in the middle.

import crypto, { type KeyObject } from 'node:crypto';
import { newKeyPair, rawPublicKey } from './channel.ts';

export const IDENTITY_FILE = 'identity-key.pem';

export interface Identity {
  privateKey: KeyObject;
  /** What a person compares: "SHA256:" and 43 characters of base64. */
  fingerprint: string;
}

/** A short, stable name for a public key (its 32 raw bytes). */
export function fingerprint(publicKey: Buffer): string {
  // TODO: "SHA256:" followed by the SHA-256 of the key's 32 bytes, in base64 without the
  //       trailing "=", as SSH shows keys.
  return `(no fingerprint yet for a ${publicKey.length}-byte key: identity.ts)`;
}

/** Loads the identity from `dataDir`, or creates it there on the first start. */
export function loadOrCreateIdentity(dataDir: string): Identity {
  // TODO: if dataDir holds IDENTITY_FILE, load the private key from it (and refuse to start if
  //       it is not an Ed25519 private key: never replace an identity silently).
  // TODO: otherwise make a new Ed25519 key pair and save the private key there (PKCS#8 PEM), so
  //       that only the server's user can read it and a crash never leaves half a key.
  // For now: a new key at every start, kept nowhere.
  const { privateKey, publicRaw } = newKeyPair('ed25519');
  console.log(`(identity.ts: the key is not kept in ${dataDir} yet)`);
  return { privateKey, fingerprint: fingerprint(publicRaw) };
}
