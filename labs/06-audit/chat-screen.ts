// Lab 6: the chat at a terminal. Given complete.
//
// Two things happen at once: the person types, and messages arrive. A message printed where
// the cursor happens to be would land in the middle of the half-typed line. So each message
// is printed *above* it: erase the line being typed, print the message, and draw the prompt
// again with what was typed so far (readline keeps that text in `line`, and redraws it).

import readline from 'node:readline';
import type { ChalkInstance } from 'chalk';
import { CHAT_HELP, colourName, describe, readTyped } from './chat-lines.ts';
import type { RoomConnection } from './client-connection.ts';

/**
 * Runs the chat until the person leaves ('left') or the server closes the connection
 * ('closed'). Throws a ConnectionError if the connection breaks.
 */
export async function chatAtTerminal(connection: RoomConnection, me: string, chalk: ChalkInstance): Promise<'left' | 'closed'> {
  const output = process.stdout;
  const typing = readline.createInterface({ input: process.stdin, output, prompt: `${colourName(chalk, me)}: ` });
  let leaving = false;

  /** Prints a line above the one being typed. */
  const show = (text: string) => {
    // Back to where the prompt starts: the typed text may take several rows of the screen.
    const { rows } = typing.getCursorPos();
    readline.moveCursor(output, 0, -rows);
    readline.cursorTo(output, 0);
    readline.clearScreenDown(output);
    output.write(`${text}\n`);
    // readline believes the cursor is still `rows` rows into the typed text, and goes up that
    // many rows before it redraws: leave it that many rows lower, so it lands under our line.
    output.write('\n'.repeat(rows));
    typing.prompt(true); // true: the cursor stays where it was in the typed text
  };

  const leave = () => {
    if (leaving) return;
    leaving = true;
    connection.leave(); // the server closes its side; the receiving loop below then ends
  };

  typing.on('line', (line) => {
    const typed = readTyped(line);
    if (typed.kind === 'chat') connection.send({ type: 'chat', text: typed.text }); // the server sends it to everyone else
    else if (typed.kind === 'who') connection.send({ type: 'who' });
    else if (typed.kind === 'help') console.log(chalk.dim(CHAT_HELP));
    else if (typed.kind === 'unknown') console.log(chalk.red(`unknown command ${typed.command}: /help lists them`));
    else if (typed.kind === 'quit') return leave();
    typing.prompt();
  });
  typing.on('SIGINT', leave); // Ctrl+C: in a chat it means "leave", not "crash"
  typing.on('close', leave); // Ctrl+D

  console.log(chalk.dim('Type to chat. /who: who is here, /help: commands, /quit: leave.'));
  typing.prompt();
  try {
    for (let message = await connection.receive(); message; message = await connection.receive()) show(describe(message, chalk));
    return leaving ? 'left' : 'closed';
  } finally {
    // Gives the terminal back as it was (normal mode, the cursor on a fresh line).
    readline.cursorTo(output, 0);
    readline.clearScreenDown(output);
    typing.off('close', leave);
    typing.close();
  }
}
