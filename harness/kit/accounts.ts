// Registering and logging in as a chat room participant (lab 4 on: docs/protocol.md,
// "Lab 4: accounts and login"). Built on ChatClient, so a failure reads like the conversation.

import { ChatClient, namesIn } from './chat-client.ts';
import type { ScenarioContext } from './scenario.ts';

/** An account the harness registers: a name and its password, in the clear (the harness's own notes). */
export interface Credentials {
  name: string;
  password: string;
}

/** Registers an account on `client` and expects the server's "registered". */
export async function register(client: ChatClient, { name, password }: Credentials, options: { withinMs?: number } = {}): Promise<void> {
  await client.send({ type: 'register', name, password });
  await client.expect({ type: 'registered', name }, { what: `the answer "registered" to registering ${name}`, ...options });
}

/**
 * Logs in on `client` and expects the welcome, with the account's name as it was registered.
 * From then on failure messages call the client by that name. Returns who the welcome says is present.
 */
export async function logIn(client: ChatClient, credentials: Credentials, options: { registeredAs?: string; withinMs?: number } = {}): Promise<string[]> {
  const name = options.registeredAs ?? credentials.name;
  await client.send({ type: 'login', name: credentials.name, password: credentials.password });
  const welcome = await client.expect({ type: 'welcome', name }, { what: `the welcome after logging in as ${credentials.name}`, ...(options.withinMs ? { withinMs: options.withinMs } : {}) });
  client.who = name;
  return namesIn(welcome, 'present', `the welcome to ${name}`);
}

/** A new connection, labelled with the account's name, that registers it and logs in. */
export async function registeredAndLoggedIn(connect: ScenarioContext['connect'], credentials: Credentials): Promise<ChatClient> {
  const client = await ChatClient.connect(connect, credentials.name);
  await register(client, credentials);
  await logIn(client, credentials);
  return client;
}

/** A new connection, labelled with the account's name, that logs in to an account registered before. */
export async function loggedIn(connect: ScenarioContext['connect'], credentials: Credentials, options: { withinMs?: number } = {}): Promise<ChatClient> {
  const client = await ChatClient.connect(connect, credentials.name);
  await logIn(client, credentials, options);
  return client;
}
