// The crash-during-burst scenario's traffic: 50 registrations sent at once from 5 connections,
// and a SIGKILL at a moment set by a count of answers, never by a sleep.

import { ChatClient, show, type ChatMessage } from '../../kit/chat-client.ts';
import type { Credentials } from '../../kit/accounts.ts';
import { ScenarioFailure, check, within } from '../../kit/failure.ts';
import { frame } from '../../kit/frames.ts';
import type { ScenarioContext } from '../../kit/scenario.ts';

/** The burst: 50 registrations from 5 connections at once; the crash after 20 acknowledgements. */
const BURST_CONNECTIONS = 5;
const BURST_PER_CONNECTION = 10;
const CRASH_AFTER_ACKS = 20;

/**
 * Sends the burst, records every "registered" the server sends (also those already on their
 * way when the crash comes), kills the program at the 20th, and returns the acknowledged
 * accounts. The moment is a count of answers, never a sleep.
 */
export async function burstThenCrash({ connect, crash }: ScenarioContext): Promise<Credentials[]> {
  const accounts: Credentials[] = Array.from({ length: BURST_CONNECTIONS * BURST_PER_CONNECTION }, (_, i) => ({
    name: `burst${String(i + 1).padStart(2, '0')}`,
    password: `burst password number ${i + 1}`,
  }));
  const acknowledged: Credentials[] = [];
  let crashed = false;
  let reachedCrashPoint!: () => void;
  const crashPoint = new Promise<void>((resolve) => (reachedCrashPoint = resolve));

  const clients: ChatClient[] = [];
  for (let c = 1; c <= BURST_CONNECTIONS; c++) clients.push(await ChatClient.connect(connect, `burst client ${c}`));
  const readers = clients.map(async (client, c) => {
    const mine = accounts.slice(c * BURST_PER_CONNECTION, (c + 1) * BURST_PER_CONNECTION);
    await client.wire.sendCoalesced(mine.map((account) => frame(JSON.stringify({ type: 'register', ...account }))));
    for (let answer = 1; answer <= mine.length; answer++) {
      let message: ChatMessage;
      try {
        message = await client.next({ what: `the answer to its registration ${answer} of ${mine.length}` });
      } catch (err) {
        if (crashed && err instanceof ScenarioFailure && err.details.kind === 'closed') return; // the program is gone, as planned
        throw err;
      }
      const account = mine.find((a) => a.name === message.name);
      check(message.type === 'registered' && account !== undefined && !acknowledged.includes(account), `${client.who} registered ${mine.map((a) => a.name).join(', ')}, and received something other than a "registered" for one of them.`, {
        expected: show({ type: 'registered', name: mine[0]!.name }),
        actual: show(message),
      });
      acknowledged.push(account);
      if (acknowledged.length === CRASH_AFTER_ACKS) reachedCrashPoint();
    }
  });
  const allAnswered = Promise.all(readers);
  await within(5000, `${CRASH_AFTER_ACKS} of the 50 registrations to be acknowledged`, Promise.race([crashPoint, allAnswered]));
  crashed = true;
  await crash();
  await within(3000, 'the burst connections to close after the crash', allAnswered);
  return acknowledged;
}

