// Lab 4: turning a password into something safe to keep, and checking it.
//
// Never keep a password. Keep what a slow, salted hash made of it, with everything needed to
// check it again later: the salt and the cost parameters. The guide explains why each part
// matters: npm run docs 4, "Storing passwords".

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

/** Hashes a new password with a fresh random salt and the cost `N`. */
export async function hashPassword(password: string, N: number): Promise<PasswordHash> {
  // TODO: make a new random salt of SALT_BYTES bytes for this password.
  // TODO: derive HASH_BYTES bytes from the password and the salt with crypto.scrypt, the
  //       asynchronous one, using N, SCRYPT_R and SCRYPT_P. Mind its memory limit (maxmem).
  // TODO: return the algorithm, the parameters, the salt and the hash (hex).
  throw new Error('hashPassword() is not written yet (labs/04-login/passwords.ts)');
}

/** Whether `password` is the one `stored` was made from. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  // TODO: hash `password` again with the salt and the parameters stored beside the hash (not
  //       today's settings), and compare the result with the stored hash in constant time.
  throw new Error('verifyPassword() is not written yet (labs/04-login/passwords.ts)');
}
