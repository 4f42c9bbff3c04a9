// Lab 4 (reference solution): turning a password into something safe to keep, and checking it.
//
// Never keep a password. Keep what a *slow*, *salted* hash made of it:
// - salted: every password gets its own random salt, hashed with it, so two people with the
//   same password get different hashes, and a table of precomputed hashes is useless;
// - slow: scrypt costs tens of milliseconds and megabytes of memory per guess (set by N), so an
//   attacker who steals the file can try thousands of passwords a second, not billions;
// - with its parameters: the salt, N, r and p are kept beside the hash, so the cost can be
//   raised later for new passwords while old hashes can still be checked.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** A password as the user store keeps it (users.json): never the password itself. */
export interface PasswordHash {
  algorithm: 'scrypt';
  /** scrypt's cost parameters, as used for this hash. */
  N: number;
  r: number;
  p: number;
  /** The random salt, in hex. */
  salt: string;
  /** What scrypt made of the password and the salt, in hex. */
  hash: string;
}

export const SALT_BYTES = 16;
export const HASH_BYTES = 32;
/** scrypt's block size and parallelism: the usual values; N alone sets the cost. */
export const SCRYPT_R = 8;
export const SCRYPT_P = 1;

/**
 * The asynchronous crypto.scrypt, as a promise. It runs in one of libuv's worker threads, so
 * the event loop keeps serving every other client while it works. (scryptSync would stop the
 * whole server for as long as the hash takes.)
 */
function deriveKey(password: string, salt: Buffer, keyLength: number, N: number, r: number, p: number): Promise<Buffer> {
  // scrypt needs about 128 * N * r bytes of memory; Node refuses more than `maxmem`
  // (32 MiB by default, too little for N = 2^17). Allow twice what is needed.
  const maxmem = 2 * 128 * N * r;
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Hashes a new password with a fresh random salt and the cost `N`. */
export async function hashPassword(password: string, N: number): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await deriveKey(password, salt, HASH_BYTES, N, SCRYPT_R, SCRYPT_P);
  return { algorithm: 'scrypt', N, r: SCRYPT_R, p: SCRYPT_P, salt: salt.toString('hex'), hash: hash.toString('hex') };
}

/** Whether `password` is the one `stored` was made from: hash it again the same way, and compare. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'hex');
  // The parameters stored with *this* hash, not today's settings: that is what lets N rise.
  const actual = await deriveKey(password, Buffer.from(stored.salt, 'hex'), expected.length, stored.N, stored.r, stored.p);
  // timingSafeEqual takes the same time wherever the first difference is; `===` or
  // Buffer.equals stop at the first wrong byte, and how long they took tells an attacker
  // how much of a guess was right.
  return timingSafeEqual(actual, expected);
}
