// Lab 5's participants: lab 4's accounts and lab 3's room (accounts.ts, chat-client.ts),
// spoken through the harness's own secure channel (secure-client.ts). And the checks the
// channel scenarios share: a connection dropped without a word, a line delivered to nobody.

import { logIn, register, type Credentials } from '../../kit/accounts.ts';
import { ChatClient, show, type ChatMessage } from '../../kit/chat-client.ts';
import { ScenarioFailure, check } from '../../kit/failure.ts';
import { splitFrames } from '../../kit/frames.ts';
import type { ScenarioContext } from '../../kit/scenario.ts';
import { SecureClient } from '../../kit/secure-client.ts';
import type { TestClient } from '../../kit/client.ts';
import { preview } from '../../kit/bytes.ts';

/** One participant: the room's view of it (chat), and the channel under it (secure). */
export interface Member {
  chat: ChatClient;
  secure: SecureClient;
}

/** A new connection labelled `label`, with the handshake made (nobody logged in). */
export async function securelyConnected(connect: ScenarioContext['connect'], label: string): Promise<Member> {
  const secure = await SecureClient.connect(connect, label);
  return { secure, chat: ChatClient.over(secure, label) };
}

/** A new connection, labelled with the account's name: handshake, register, log in. */
export async function securelyLoggedIn(connect: ScenarioContext['connect'], credentials: Credentials): Promise<Member> {
  const member = await securelyConnected(connect, credentials.name);
  await register(member.chat, credentials);
  await logIn(member.chat, credentials);
  return member;
}

/**
 * Logs the accounts in one after the other, each on its own connection, and has everyone
 * already in the room read the notice that the next one joined: the room starts quiet.
 */
export async function securedRoom(connect: ScenarioContext['connect'], accounts: Credentials[]): Promise<Member[]> {
  const members: Member[] = [];
  for (const account of accounts) {
    const member = await securelyLoggedIn(connect, account);
    for (const earlier of members) await earlier.chat.expect({ type: 'joined', name: account.name }, { what: `the notice that ${account.name} logged in` });
    members.push(member);
  }
  return members;
}

/**
 * Asks who is here, and returns every message that arrived before the answer: whatever the
 * server sent this member in the meantime (a request's answer comes after anything sent before it).
 */
export async function messagesBeforeWho(member: Member): Promise<ChatMessage[]> {
  await member.chat.send({ type: 'who' });
  const before: ChatMessage[] = [];
  // A few notices (someone left) may come first; more than this means something is wrong.
  for (let i = 0; i < 10; i++) {
    const message = await member.chat.next({ what: `the answer to ${member.chat.who}'s "who"` });
    if (message.type === 'who') return before;
    before.push(message);
  }
  throw new ScenarioFailure(`${member.chat.who} received more than 10 messages before the answer to its "who".`, { kind: 'mismatch', actual: before.map(show).join('\n') });
}

/** Nothing sealed in a refused frame reached `member`: no chat line arrived before the answer to its "who". */
export async function expectNoChatDelivered(member: Member, because: string): Promise<void> {
  const chats = (await messagesBeforeWho(member)).filter((message) => message.type === 'chat');
  check(chats.length === 0, `${member.chat.who} received a chat line that must never have been delivered: ${because}.`, {
    expected: `no chat line before the answer to ${member.chat.who}'s "who"`,
    actual: chats.map(show).join('\n'),
  });
}

/**
 * The server must close this raw connection without sending a single byte: it sent something
 * that is not a hello. What it sent instead is shown as frames, since nothing is sealed yet.
 */
export async function expectDroppedUnanswered(client: TestClient, what: string): Promise<void> {
  try {
    await client.expectClose({ what });
  } catch (err) {
    if (!(err instanceof ScenarioFailure) || client.pending.length === 0) throw err;
    const { bodies, rest } = splitFrames(client.pending);
    const answer = [...bodies.map((body) => preview(body, 160)), ...(rest.length ? [`${preview(rest, 48)} (not a whole frame)`] : [])];
    throw new ScenarioFailure(`Your server answered ${client.label} instead of closing its connection without a word, while waiting for ${what}.`, {
      kind: 'mismatch',
      expected: 'no answer at all, and the connection closed',
      actual: answer.join('\n'),
    });
  }
}
