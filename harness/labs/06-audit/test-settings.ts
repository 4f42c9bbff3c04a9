// The settings lab 6's scenarios start the learner's server with: lab 5's, the loopback
// address (the finished room listens on every address by default), and a short statistics
// period, so "saved within one period" can be checked in a fraction of a second
// (labs/06-audit/settings.ts documents them).

import { encryptionProgramArgs } from '../05-encryption/test-settings.ts';

/** How often the server saves changed statistics during the tests (the default is 10 s). */
export const TEST_STATS_INTERVAL_MS = 200;

export function auditProgramArgs(dataDir: string): string[] {
  return [...encryptionProgramArgs(dataDir), '--host', '127.0.0.1', '--stats-interval-ms', String(TEST_STATS_INTERVAL_MS)];
}
