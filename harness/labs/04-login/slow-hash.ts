// The hashing-in-background scenario's checks: logging in to accounts hashed before the cost
// went up, and chat that must keep flowing while a slow hash is under way.

import { ChatClient, show, type ChatMessage } from '../../kit/chat-client.ts';
import type { Credentials } from '../../kit/accounts.ts';
import { ScenarioFailure, check } from '../../kit/failure.ts';
import type { ScenarioContext } from '../../kit/scenario.ts';
import { SLOW_SCRYPT_N, STORE_FILE, TEST_SCRYPT_N } from './test-settings.ts';
import { parseStore, readStore } from './user-store.ts';

/** Logs in to an account hashed before the cost went up, with a failure that says so. */
export async function loggedInAfterCostRise(connect: ScenarioContext['connect'], dataDir: string, account: Credentials): Promise<ChatClient> {
  const client = await ChatClient.connect(connect, account.name);
  await client.send({ type: 'login', ...account });
  const reply = await client.next({ what: `the welcome after logging in as ${account.name}` });
  if (reply.type === 'error' && reply.code === 'login-failed') {
    // Say why only when the store shows it: the account is there, made with the old cost.
    let stored: number | undefined;
    try {
      stored = parseStore(readStore(dataDir, 'after the restart'), 'after the restart').get(account.name)?.password.N;
    } catch {
      stored = undefined;
    }
    const why =
      stored === TEST_SCRYPT_N
        ? `The store says ${account.name}'s hash was made with N = ${TEST_SCRYPT_N}: check each password with the parameters stored beside its hash, not with today's setting.`
        : `And ${STORE_FILE} does not hold the account as it was registered (with N = ${TEST_SCRYPT_N}).`;
    throw new ScenarioFailure(`${account.name}'s right password was refused after the server restarted with --scrypt-n ${SLOW_SCRYPT_N}. ${why}`, {
      kind: 'mismatch',
      expected: show({ type: 'welcome', name: account.name }),
      actual: show(reply),
    });
  }
  check(reply.type === 'welcome' && reply.name === account.name, `${account.name} was waiting for the welcome after logging in, but the next message was something else.`, {
    expected: show({ type: 'welcome', name: account.name }),
    actual: show(reply),
  });
  client.who = account.name;
  return client;
}

/**
 * While `waiting`'s login is being checked (a slow hash), `from` sends three lines to `to`,
 * each only once the one before has arrived. The server must relay all three before it
 * answers `waiting`.
 *
 * Why three, and why the verdict does not depend on timing for a server that blocks: such a
 * server writes the answer to the login before it reads the second line (at the latest), so
 * the answer is already in the harness's receive buffer when that line arrives, and the
 * harness's event loop reads it before the third line can come back. The one assumption, for
 * a server that hashes in the background: three round trips of a chat line (well under a
 * millisecond each on loopback) are faster than one hash at SLOW_SCRYPT_N (about 200 ms).
 *
 * Only a login gives this guarantee: its welcome follows the hash at once. A registration's
 * answer also waits for the disk, during which even a blocking server relays chat again.
 */
export async function chatWhileHashing(from: ChatClient, to: ChatClient, waiting: ChatClient, what: string): Promise<void> {
  const letIn = (message: ChatMessage) => message.type === 'joined' && message.name === waiting.who;
  const tooSoon = `${waiting.who} was let in before ${from.who}'s three chat lines had reached ${to.who}: while ${what} was checked, nobody else was served (a synchronous scrypt?), or it was not checked with a slow scrypt at all.`;
  for (let line = 1; line <= 3; line++) {
    const text = `line ${line} while ${what} is being checked`;
    await from.say(text);
    const message = await to.next({ what: `${from.who}'s line ${line} of 3, sent while ${what} was being checked` });
    if (letIn(message)) throw new ScenarioFailure(tooSoon, { kind: 'mismatch', expected: show({ type: 'chat', from: from.who, text }), actual: show(message) });
    check(message.type === 'chat' && message.from === from.who && message.text === text, `${to.who} was waiting for ${from.who}'s line ${line} of 3, but the next message from the server was something else.`, {
      expected: show({ type: 'chat', from: from.who, text }),
      actual: show(message),
    });
  }
  check(waiting.wire.pending.length === 0, tooSoon, {
    expected: `${from.who}'s lines relayed at once, and the answer to ${what} only once its hash is done`,
    actual: `${waiting.wire.pending.length} bytes for ${waiting.who} already there when ${to.who} got line 3`,
  });
}

