// The settings lab 4's scenarios start the learner's program with (labs/04-login/settings.ts
// documents them). Real ones would make a run take minutes: a hash of N = 2^17 costs about
// 350 ms here, and a lockout lasts five minutes. One place, read by the manifest and the tests.

/** scrypt's cost for new hashes during the tests: about 3 ms per hash here. */
export const TEST_SCRYPT_N = 1024;

/**
 * A cost high enough that a hash takes a long time next to a chat line's round trip (about
 * 200 ms here, against well under a millisecond), for the one scenario that checks that
 * hashing does not stop the room. Passed with restart(), for that scenario only.
 */
export const SLOW_SCRYPT_N = 65_536;

/** How long a name stays locked during the tests. */
export const TEST_LOCKOUT_MS = 1500;

/** Failed logins in a row that lock a name (MAX_FAILED_LOGINS in protocol.ts). */
export const MAX_FAILED_LOGINS = 5;

/** The user store inside the program's data folder. */
export const STORE_FILE = 'users.json';

export function loginProgramArgs(dataDir: string): string[] {
  return ['--data', dataDir, '--scrypt-n', String(TEST_SCRYPT_N), '--lockout-ms', String(TEST_LOCKOUT_MS)];
}
