// Lab 6: the chat without a terminal, for scripts and tests. Given complete.
//
// Every line of standard input is a chat line (or /who, /quit); every message from the room is
// one plain line on standard output, and nothing else is: a script can read it line by line.
// The client's own notices go to standard error.

import readline from 'node:readline';
import type { ChalkInstance } from 'chalk';
import { CHAT_HELP, describe, readTyped } from './chat-lines.ts';
import type { RoomConnection } from './client-connection.ts';

/**
 * Runs the chat until the input ends or says /quit ('left'), or the server closes the
 * connection ('closed'). Throws a ConnectionError if the connection breaks.
 */
export async function chatThroughPipes(connection: RoomConnection, plain: ChalkInstance): Promise<'left' | 'closed'> {
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  let leaving = false;
  const leave = () => {
    leaving = true;
    connection.leave(); // what was sent before still arrives: the server reads up to our FIN
  };
  lines.on('line', (line) => {
    if (leaving) return;
    const typed = readTyped(line);
    if (typed.kind === 'chat') connection.send({ type: 'chat', text: typed.text });
    else if (typed.kind === 'who') connection.send({ type: 'who' });
    else if (typed.kind === 'quit') leave();
    else if (typed.kind === 'help') console.error(CHAT_HELP);
    else if (typed.kind === 'unknown') console.error(`unknown command ${typed.command}: /help lists them`);
  });
  lines.on('close', () => {
    if (!leaving) leave(); // the end of the input (or Ctrl+D): nothing more to say
  });
  try {
    for (let message = await connection.receive(); message; message = await connection.receive()) console.log(describe(message, plain));
    return leaving ? 'left' : 'closed';
  } finally {
    lines.removeAllListeners('close');
    lines.close();
  }
}
