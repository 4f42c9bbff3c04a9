// Keys for the channel fuzzers, made from the seed so that the same seed makes the same hellos.
// (Raw private keys become KeyObjects through the PKCS#8 prefixes given in docs/protocol.md.)

import crypto, { type KeyObject } from 'node:crypto';
import type { Random } from '../random.ts';

const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface KeyPair {
  privateKey: KeyObject;
  /** The 32 raw bytes of the public key, as they travel in a hello. */
  raw: Buffer;
}

function pair(prefix: Buffer, rawPrivate: Buffer): KeyPair {
  const privateKey = crypto.createPrivateKey({ key: Buffer.concat([prefix, rawPrivate]), format: 'der', type: 'pkcs8' });
  return { privateKey, raw: Buffer.from(crypto.createPublicKey(privateKey).export({ format: 'jwk' }).x!, 'base64url') };
}

export const x25519Pair = (random: Random) => pair(X25519_PKCS8, random.bytes(32));
export const ed25519Pair = (random: Random) => pair(ED25519_PKCS8, random.bytes(32));

/**
 * X25519 public keys of small order (libsodium's list, little-endian): with any private key
 * they give an all-zero secret, which OpenSSL refuses. A hello carrying one must be refused.
 */
export const SMALL_ORDER_KEYS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => Buffer.from(hex, 'hex'));

/** Any private key will do: a small-order public key gives an all-zero secret with every one. */
const probe = pair(X25519_PKCS8, Buffer.alloc(32, 7));

/** True when X25519 refuses `raw` as a peer's public key (what the oracle expects of a hello's key). */
export function x25519Refuses(raw: Buffer): boolean {
  try {
    const publicKey = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') }, format: 'jwk' });
    crypto.diffieHellman({ privateKey: probe.privateKey, publicKey });
    return false;
  } catch {
    return true;
  }
}

/** Base64 text for `bytes` the odd ways a peer might write it; Node decodes every one to the same bytes. */
export function base64Variant(random: Random, bytes: Buffer): { text: string; step?: string } {
  const plain = bytes.toString('base64');
  switch (random.int(8)) {
    case 0:
      return { text: bytes.toString('base64url'), step: 'base64url' };
    case 1:
      return { text: plain.replace(/=+$/, ''), step: 'base64 without padding' };
    case 2:
      return { text: `${plain.slice(0, 10)}\n${plain.slice(10)}`, step: 'base64 with a line break' };
    default:
      return { text: plain };
  }
}

/** What Node's lenient base64 decoder makes of a hello field, or undefined when it is not a string. */
export const decoded = (value: unknown) => (typeof value === 'string' ? Buffer.from(value, 'base64') : undefined);
