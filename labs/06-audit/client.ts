// Lab 6: the finished chat room's client. Given complete.
//
//   npm run client -- [host] [port]          (or: node --import tsx labs/06-audit/client.ts [host] [port])
//
// One visit to the room, step by step:
//   1. connect, and make lab 5's handshake: the server proves it holds its identity key
//      (client-connection.ts);
//   2. trust: a server met for the first time shows its key's fingerprint, remembered if you
//      agree; a key that changed is refused, loudly (client-trust.ts);
//   3. log in, or register first (client-login.ts);
//   4. chat: at a terminal, messages appear above the line you type (chat-screen.ts); in a
//      pipe, one plain line per message (chat-pipe.ts).
// At a terminal it asks for what it needs; without one it asks nothing, and everything comes
// from the command line and the environment (client-options.ts lists the flags).

import { confirm } from '@inquirer/prompts';
import { chalkFor, describe } from './chat-lines.ts';
import { chatThroughPipes } from './chat-pipe.ts';
import { chatAtTerminal } from './chat-screen.ts';
import { ConnectionError, RoomConnection } from './client-connection.ts';
import { accountFromFlags, LoginRefusedError, logInAtTerminal, logInWithFlags } from './client-login.ts';
import { readOptions, UsageError, USAGE, type ClientOptions } from './client-options.ts';
import { NotTrustedError, trustServer } from './client-trust.ts';
import { ServerKeyChangedError } from './known-servers.ts';
import type { Welcome } from './protocol.ts';

// Prompts need a person: both the keyboard and the screen must be a terminal.
const atTerminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
const chalk = chalkFor(process.stdout);
// At a terminal the client's notices go with the chat; in a pipe they go to standard error,
// so that standard output holds the room's messages and nothing else.
const notice = atTerminal ? console.log : console.error;

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  // Without a terminal nobody can be asked later: check that the flags say everything first.
  const account = atTerminal ? undefined : accountFromFlags(options);

  if (atTerminal) console.log(chalk.dim(`connecting to ${options.address}…`));
  const connection = new RoomConnection(options.host, options.port, options.address);
  await connection.ready;

  // When the connection ends, a question still on the screen is pointless: cancel it.
  const stopAsking = new AbortController();
  void connection.closed.then(() => stopAsking.abort());
  let welcome: Welcome;
  try {
    const ask = () => askTrust(connection, options, stopAsking.signal);
    notice(chalk.dim(await trustServer(options.knownServers, options.address, connection.fingerprint, ask)));
    welcome = account ? await logInWithFlags(connection, account) : await logInAtTerminal(connection, options, chalk, stopAsking.signal);
  } catch (err) {
    if ((err as Error).name !== 'AbortPromptError') {
      connection.destroy(); // not trusted, not let in, or Ctrl+C: send nothing more
      throw err;
    }
    // The server went away while we asked: show what it said last (a shutdown notice?), and why.
    for (let message = await connection.receive(); message; message = await connection.receive()) console.log(describe(message, chalk));
    throw new ConnectionError(`${options.address} closed the connection`);
  }
  console.log(describe(welcome, chalk));

  const outcome = atTerminal ? await chatAtTerminal(connection, welcome.name, chalk) : await chatThroughPipes(connection, chalk);
  notice(outcome === 'left' ? 'bye' : `${options.address} closed the connection`);
  return 0;
}

/** A server met for the first time: trust it? --trust says yes; at a terminal the person decides. */
async function askTrust(connection: RoomConnection, options: ClientOptions, signal: AbortSignal): Promise<boolean> {
  if (options.trust) return true;
  if (!atTerminal) {
    throw new NotTrustedError(
      `${options.address} is not in ${options.knownServers} yet, and there is no terminal to ask whether to trust its key ${connection.fingerprint}: ` +
        'check it against the one the server printed when it started, then run again with --trust',
    );
  }
  console.log(`This is your first visit to ${options.address}. The key it proved it holds has the fingerprint\n\n    ${chalk.bold(connection.fingerprint)}\n`);
  console.log('The server printed its own fingerprint when it started ("server key fingerprint: …"): they must be the same.');
  return confirm({ message: 'Trust this server and remember its key?', default: false }, { signal });
}

/** Turns what went wrong into one clear message and an exit status; a bug stays a stack trace. */
function report(err: unknown): number {
  const error = err as Error;
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}`);
    return 2;
  }
  if (error instanceof ServerKeyChangedError) {
    console.error(chalkFor(process.stderr).red.bold(error.message));
    return 1;
  }
  if (error instanceof ConnectionError || error instanceof NotTrustedError || error instanceof LoginRefusedError) {
    console.error(error.message);
    return 1;
  }
  if (error.name === 'ExitPromptError') return 130; // Ctrl+C at a question: leave quietly
  throw err;
}

let code: number;
try {
  code = await main();
} catch (err) {
  code = report(err);
}
// Exit once everything printed has been written out: a pipe may still hold the last lines.
await new Promise((resolve) => process.stdout.write('', resolve));
await new Promise((resolve) => process.stderr.write('', resolve));
process.exit(code);
