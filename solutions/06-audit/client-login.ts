// Lab 6: getting into the room: register or log in. Given complete.
//
// At a terminal the client asks (@inquirer/prompts: a menu, the name, the password hidden
// behind "*"), and asks again after a refusal. Without one, the name comes from --name and the
// password from the environment or a file, and a refusal ends the program.

import { readFileSync } from 'node:fs';
import { input, password as passwordPrompt, select } from '@inquirer/prompts';
import type { ChalkInstance } from 'chalk';
import type { ClientOptions } from './client-options.ts';
import { UsageError } from './client-options.ts';
import { ConnectionError, type RoomConnection } from './client-connection.ts';
import { describe, printable } from './chat-lines.ts';
import { checkName, checkNewPassword, ProtocolError } from './messages.ts';
import type { ServerMessage, Welcome } from './protocol.ts';

export interface Account {
  name: string;
  password: string;
  /** Create the account first. */
  register: boolean;
}

/** The server said no (wrong password, name taken, locked…), and there is nobody to ask again. */
export class LoginRefusedError extends Error {
  override name = 'LoginRefusedError';
}

/** Registers if asked to, then logs in. Resolves to the welcome, or to the server's refusal. */
export async function enter(connection: RoomConnection, account: Account): Promise<ServerMessage> {
  const { name, password } = account;
  if (account.register) {
    const answer = await connection.request({ type: 'register', name, password });
    if (answer.type !== 'registered') return answer;
  }
  return connection.request({ type: 'login', name, password });
}

/** Without a terminal: the account from the command line and the environment, checked before connecting. */
export function accountFromFlags(options: ClientOptions): Account {
  if (options.name === undefined) throw new UsageError('there is no terminal to ask your name: pass --name <name>');
  return { name: options.name, password: passwordFromFlags(options), register: options.register };
}

function passwordFromFlags(options: ClientOptions): string {
  if (options.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.passwordFile, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read the password file ${options.passwordFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const password = text.split(/\r?\n/)[0]!;
    if (password === '') throw new UsageError(`the first line of ${options.passwordFile} is empty: it should hold the password`);
    return password;
  }
  const password = process.env.SOCKETLAB_PASSWORD;
  if (!password) throw new UsageError('there is no terminal to ask your password: put it in SOCKETLAB_PASSWORD, or in a file given with --password-file');
  return password;
}

/** Without a terminal: one try. The welcome, or a LoginRefusedError with the server's reason. */
export async function logInWithFlags(connection: RoomConnection, account: Account): Promise<Welcome> {
  const answer = await enter(connection, account);
  if (answer.type === 'welcome') return answer;
  throw new LoginRefusedError(refusal(answer));
}

/**
 * At a terminal: ask, try, and ask again until the server lets us in. `signal` cancels the
 * question on the screen (the connection has ended: there is nobody left to answer).
 */
export async function logInAtTerminal(connection: RoomConnection, options: ClientOptions, chalk: ChalkInstance, signal: AbortSignal): Promise<Welcome> {
  const context = { signal };
  let register = options.register;
  let name = options.name;
  for (;;) {
    register = await select(
      {
        message: 'Log in or register?',
        choices: [
          { name: 'Log in', value: false },
          { name: 'Register a new account', value: true },
        ],
        default: register,
      },
      context,
    );
    name = await input({ message: 'Name:', default: name, validate: (value) => ruleBroken(() => checkName(value)) }, context);
    const password = await passwordPrompt(
      { message: 'Password:', mask: '*', validate: register ? (value) => ruleBroken(() => checkNewPassword(value)) : undefined },
      context,
    );
    if (register && (await passwordPrompt({ message: 'The same password again:', mask: '*' }, context)) !== password) {
      console.log(chalk.red('The two passwords differ: nothing was sent. Once more.'));
      continue;
    }
    if (register) {
      const registered = await connection.request({ type: 'register', name, password });
      if (registered.type === 'shutdown') throw new ConnectionError(refusal(registered));
      console.log(describe(registered, chalk));
      // Registered, or the name is taken (by them, maybe): either way, logging in comes next.
      if (registered.type === 'registered' || (registered.type === 'error' && registered.code === 'name-taken')) register = false;
      if (registered.type !== 'registered') continue;
    }
    const answer = await connection.request({ type: 'login', name, password });
    if (answer.type === 'welcome') return answer;
    if (answer.type === 'shutdown') throw new ConnectionError(refusal(answer));
    console.log(describe(answer, chalk));
  }
}

/** Checks a rule before the round trip: true, or the rule's sentence for the prompt to show. */
function ruleBroken(check: () => void): true | string {
  try {
    check();
    return true;
  } catch (err) {
    if (err instanceof ProtocolError) return err.message;
    throw err;
  }
}

/** The server's refusal in one sentence. */
function refusal(answer: ServerMessage): string {
  if (answer.type === 'error') return printable(`${answer.message} (${answer.code})`);
  if (answer.type === 'shutdown') return printable(`the server is shutting down: ${answer.message}`);
  return printable(`unexpected answer from the server: ${JSON.stringify(answer)}`);
}
