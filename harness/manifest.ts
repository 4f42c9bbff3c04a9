// The one description of the labs. The runner, the CLI, the self-test (and later the menu,
// the grader and the docs index) read this list; nothing else names the labs.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { echoScenarios } from './labs/01-echo/scenarios.ts';
import { framingScenarios } from './labs/02-framing/scenarios.ts';
import { chatScenarios } from './labs/03-chat/scenarios.ts';
import { loginScenarios } from './labs/04-login/scenarios.ts';
import { loginProgramArgs } from './labs/04-login/test-settings.ts';
import { encryptionScenarios } from './labs/05-encryption/scenarios.ts';
import { encryptionProgramArgs } from './labs/05-encryption/test-settings.ts';
import { auditScenarios } from './labs/06-audit/scenarios.ts';
import { auditProgramArgs } from './labs/06-audit/test-settings.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ScenarioSpec {
  /** Stable id, used by fixtures and results. */
  id: string;
  /** What the scenario does, in one sentence a beginner understands. */
  title: string;
  /** The concept to look at when this scenario fails. */
  hint: string;
  points?: number;
  /** Cap for the whole scenario; each wait inside has its own, smaller bound. */
  timeoutMs?: number;
  /**
   * In a lab whose scenarios share one program (`sharesProgram`), this one gets its own: it
   * sends what may crash a wrong program (resets, garbage), which must not fail the others.
   */
  ownProgram?: boolean;
  /**
   * Most of this scenario is a wait on one of the program's own timers (a lockout, a timeout).
   * It starts before the others, so that its wait overlaps their work instead of ending the run.
   */
  waitsOnTimer?: boolean;
}

export interface Lab {
  number: number;
  slug: string;
  /** Folder name inside labs/, solutions/ or any target tree. */
  folder: string;
  title: string;
  /** One line: what the learner builds and learns. */
  teaches: string;
  /** The program the harness starts, relative to the lab folder. */
  entry: string;
  /**
   * Arguments after the port, given the scenario's fresh data folder (lab 4 on: where the
   * program keeps accounts and keys, and the test settings documented in the stub).
   */
  programArgs?: (dataDir: string) => string[];
  /** The hidden tests, relative to the repository root. */
  tests: string;
  docs: string;
  scenarios: ScenarioSpec[];
  /**
   * Files this lab carries over from an earlier lab's solution, so the lab folder is
   * self-contained. The self-test checks that the copies in labs/ and solutions/ are
   * identical to the source, so they never drift.
   */
  carries?: { file: string; from: string }[];
  /** Files the stub gives complete (the learner reads them, does not write them): labs/ and solutions/ hold the same text. */
  given?: string[];
  /**
   * The lab's programs keep nothing between connections (no names, no files), so its scenarios
   * may share one running program: one start per run instead of one per scenario (the kit's
   * scenario.ts). Scenarios marked `ownProgram` still get their own.
   */
  sharesProgram?: boolean;
}

export const labs: Lab[] = [
  {
    number: 1,
    slug: 'echo',
    folder: '01-echo',
    title: 'Echo server',
    teaches: 'listen, accept, and TCP as a byte stream: send back every byte, close when the client is done',
    entry: 'server.ts',
    tests: 'harness/labs/01-echo/echo.lab.ts',
    docs: 'docs/01-echo.md',
    scenarios: echoScenarios,
    sharesProgram: true,
  },
  {
    number: 2,
    slug: 'framing',
    folder: '02-framing',
    title: 'Message framing',
    teaches: 'turning a byte stream into messages: length-prefixed frames, an incremental decoder, and a size limit',
    entry: 'server.ts',
    tests: 'harness/labs/02-framing/framing.lab.ts',
    docs: 'docs/02-framing.md',
    scenarios: framingScenarios,
    sharesProgram: true,
  },
  {
    number: 3,
    slug: 'chat',
    folder: '03-chat',
    title: 'Multi-client chat',
    teaches: 'many clients at once: names, broadcast, join and leave, and a server that no slow or silent client can stall',
    entry: 'server.ts',
    tests: 'harness/labs/03-chat/chat.lab.ts',
    docs: 'docs/03-chat.md',
    scenarios: chatScenarios,
    given: ['protocol.ts', 'client.ts'],
    carries: [{ file: 'framing.ts', from: '02-framing' }],
  },
  {
    number: 4,
    slug: 'login',
    folder: '04-login',
    title: 'Login',
    teaches: 'accounts that survive an attacker and a crash: register and log in, salted slow hashes, limited guessing, a store written atomically',
    entry: 'server.ts',
    // The data folder, a low scrypt cost and a short lockout (labs/04-login/settings.ts).
    programArgs: loginProgramArgs,
    tests: 'harness/labs/04-login/login.lab.ts',
    docs: 'docs/04-login.md',
    scenarios: loginScenarios,
    given: ['protocol.ts', 'client.ts', 'settings.ts'],
    carries: [{ file: 'framing.ts', from: '02-framing' }],
  },
  {
    number: 5,
    slug: 'encryption',
    folder: '05-encryption',
    title: 'Encryption',
    teaches: 'a secure channel before anything secret is said: an X25519 handshake signed by a pinned server key, HKDF, AES-GCM frames with counters',
    entry: 'server.ts',
    // Lab 4's settings and a short handshake time (labs/05-encryption/settings.ts).
    programArgs: encryptionProgramArgs,
    tests: 'harness/labs/05-encryption/encryption.lab.ts',
    docs: 'docs/05-encryption.md',
    scenarios: encryptionScenarios,
    // Lab 4's accounts, given complete: this lab is about the channel under them.
    given: ['client.ts', 'settings.ts'],
    carries: [
      { file: 'framing.ts', from: '02-framing' },
      { file: 'protocol.ts', from: '04-login' },
      { file: 'passwords.ts', from: '04-login' },
      { file: 'store.ts', from: '04-login' },
      { file: 'lockout.ts', from: '04-login' },
    ],
  },
  {
    number: 6,
    slug: 'audit',
    folder: '06-audit',
    title: 'Audit',
    teaches: 'a server its operator can trust: statistics kept exactly and saved atomically, an event log with no secrets that rotates, console commands, a clean shutdown',
    entry: 'server.ts',
    // Lab 5's settings, the loopback address and a short statistics period (labs/06-audit/settings.ts).
    programArgs: auditProgramArgs,
    tests: 'harness/labs/06-audit/audit.lab.ts',
    docs: 'docs/06-audit.md',
    scenarios: auditScenarios,
    // Given complete: the finished room's client, the settings, lab 5's message checks (moved to a
    // module), the atomic write the store and the statistics share, and the presentation (the
    // addresses, the audit table). Carried: the frames, the accounts and the channel of labs 2 to 5.
    given: [
      'protocol.ts',
      'settings.ts',
      'messages.ts',
      'atomic-file.ts',
      'store.ts',
      'addresses.ts',
      'audit-table.ts',
      // The finished room's client (npm run client), in small modules.
      'client.ts',
      'client-options.ts',
      'client-connection.ts',
      'client-trust.ts',
      'client-login.ts',
      'chat-lines.ts',
      'chat-screen.ts',
      'chat-pipe.ts',
    ],
    carries: [
      { file: 'framing.ts', from: '02-framing' },
      { file: 'passwords.ts', from: '04-login' },
      { file: 'lockout.ts', from: '04-login' },
      { file: 'channel.ts', from: '05-encryption' },
      { file: 'identity.ts', from: '05-encryption' },
      { file: 'known-servers.ts', from: '05-encryption' },
    ],
  },
];

/** Finds a lab by number ("1", "01"), slug ("echo") or folder ("01-echo"). */
export function findLab(query: string): Lab | undefined {
  const q = query.trim().toLowerCase();
  return labs.find((lab) => String(lab.number) === q.replace(/^0+(?=\d)/, '') || lab.slug === q || lab.folder === q);
}

/** The program file of `lab` inside an implementation tree. */
export function entryIn(target: string, lab: Lab): string {
  return path.join(target, lab.folder, lab.entry);
}
