// The settings lab 5's scenarios start the learner's server with: lab 4's (a low scrypt cost, a
// short lockout), and a short handshake time (labs/05-encryption/settings.ts documents them).

import { loginProgramArgs } from '../04-login/test-settings.ts';

/** How long a connection has to finish its handshake during the tests (the default is 10 s). */
export const TEST_HANDSHAKE_TIMEOUT_MS = 1000;

export function encryptionProgramArgs(dataDir: string): string[] {
  return [...loginProgramArgs(dataDir), '--handshake-timeout-ms', String(TEST_HANDSHAKE_TIMEOUT_MS)];
}
