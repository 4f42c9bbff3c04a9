// Lab 6: the lines of the chat, both ways. Given complete.
//
// What a line the person typed means (a chat line, or a command), and how each message from
// the server is shown: one line each, with names in colour at a terminal, plain in a pipe.

import { Chalk, type ChalkInstance } from 'chalk';
import type { ServerMessage } from './protocol.ts';

export const CHAT_HELP = ['commands:', '  /who    who is in the room', '  /help   this list', '  /quit   leave (Ctrl+D or Ctrl+C too)', 'anything else is said to the room'].join('\n');

export type Typed = { kind: 'chat'; text: string } | { kind: 'who' | 'help' | 'quit' | 'nothing' } | { kind: 'unknown'; command: string };

/** What a typed line asks for. A line of spaces says nothing; a line starting with "/" is a command. */
export function readTyped(line: string): Typed {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'nothing' };
  if (!trimmed.startsWith('/')) return { kind: 'chat', text: line };
  const command = trimmed.split(/\s/)[0]!;
  if (command === '/who' || command === '/help' || command === '/quit') return { kind: command.slice(1) as 'who' | 'help' | 'quit' };
  return { kind: 'unknown', command };
}

/**
 * Colour for a person at a terminal, and none for a pipe, a dumb terminal, or anyone who set
 * NO_COLOR (https://no-color.org). (chalk alone does not look at NO_COLOR.)
 */
export function chalkFor(stream: NodeJS.WriteStream): ChalkInstance {
  const colour = Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
  return new Chalk({ level: colour ? 1 : 0 });
}

const NAME_COLOURS = ['cyan', 'green', 'yellow', 'blue', 'magenta', 'cyanBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright'] as const;

/** A name in its own colour: always the same for the same name (names ignore case), so people are easy to follow. */
export function colourName(chalk: ChalkInstance, name: string): string {
  let hash = 0;
  for (const char of name.toLowerCase()) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return chalk[NAME_COLOURS[hash % NAME_COLOURS.length]!](printable(name));
}

/**
 * Text from the network, made safe to print: a control character could move the cursor,
 * clear the screen or forge a line. The server refuses them already; a client checks anyway,
 * because it cannot know that the server does.
 */
export function printable(value: unknown): string {
  return String(value).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\ufffd');
}

/** The names of a welcome or a who; a big room's list stops short and says how many more there are. */
function names(chalk: ChalkInstance, { present, more }: { present: unknown; more?: unknown }): string {
  const listed = Array.isArray(present) ? present.map((name) => colourName(chalk, String(name))).join(', ') : '?';
  return typeof more === 'number' && more > 0 ? `${listed} and ${more} more` : listed;
}

/** One message from the server as one line. */
export function describe(message: ServerMessage, chalk: ChalkInstance): string {
  switch (message.type) {
    case 'chat':
      return `${colourName(chalk, message.from)}: ${printable(message.text)}`;
    case 'joined':
      return chalk.dim(`* ${colourName(chalk, message.name)} joined`);
    case 'left':
      return chalk.dim(`* ${colourName(chalk, message.name)} left`);
    case 'who':
      return chalk.dim(`* here: ${names(chalk, message)}`);
    case 'welcome':
      return chalk.dim(`* you are ${colourName(chalk, message.name)}; here: ${names(chalk, message)}`);
    case 'registered':
      return chalk.dim(`* the account ${colourName(chalk, message.name)} is registered`);
    case 'error':
      return chalk.red(`! ${printable(message.code)}: ${printable(message.message)}`);
    case 'shutdown':
      return chalk.yellow.bold(`* server: ${printable(message.message)}`);
    default:
      return chalk.dim(`? ${printable(JSON.stringify(message))}`);
  }
}
