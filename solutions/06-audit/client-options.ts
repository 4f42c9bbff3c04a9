// Lab 6: the chat client's command line. Given complete.
//
//   client.ts [host] [port] [--known-servers <file>] [--trust] [--name <name>] [--register]
//             [--password-file <file>] [--help]
//
// At a terminal the client asks for what it needs. Without one (a pipe, a script, CI) it must
// not ask (nobody would answer), so everything comes from here and from the environment.

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const USAGE = `usage: client.ts [host] [port] [options]        (from the kit: npm run client -- [host] [port] [options])

  host                     the server's name or address (default: localhost)
  port                     its TCP port (default: 8080)
  --known-servers <file>   the servers you trust and their keys (default: ~/.socketlab/known-servers)
  --trust                  trust a server met for the first time without asking
  --name <name>            your account's name
  --register               create the account first, then log in
  --password-file <file>   read the password from the first line of this file
  -h, --help               this help

At a terminal the client asks for what it needs: whether to trust a new server, whether to
log in or register, your name and password. Then type to chat; /who, /help, /quit.

Without a terminal (a pipe, CI) it asks nothing: pass --name, the password in the environment
variable SOCKETLAB_PASSWORD or in --password-file (never on the command line, where anyone
can read it with ps), and --trust for a server not yet in the known-servers file. Each line of
standard input is then a chat line, /who or /quit; each message from the room is one line on
standard output; the client's own notices go to standard error. Exit status: 0 when the
server closes the connection or the input ends, 1 when the connection, the server's key or
the login fails, 2 for a mistake on the command line.`;

/** A mistake on the command line: one line, then exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ClientOptions {
  host: string;
  port: number;
  /** "host:port" as the known-servers file names the server ("[::1]:8080" for IPv6). */
  address: string;
  knownServers: string;
  trust: boolean;
  name?: string;
  register: boolean;
  passwordFile?: string;
  help: boolean;
}

export function readOptions(args: string[]): ClientOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'known-servers': { type: 'string', default: path.join(os.homedir(), '.socketlab', 'known-servers') },
        trust: { type: 'boolean', default: false },
        name: { type: 'string' },
        register: { type: 'boolean', default: false },
        'password-file': { type: 'string' },
        // Declared only to refuse it with a reason: a password on the command line is visible to
        // every user of the machine (ps), and stays in the shell's history.
        password: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    // parseArgs explains at length how to pass a positional that starts with "-"; the first sentence is the point.
    throw new UsageError(`${(err as Error).message.split(/\. (?=[A-Z])/)[0]} (--help lists the options)`);
  }
  const { values, positionals } = parsed;
  if (values.password !== undefined) {
    throw new UsageError('a password never goes on the command line (ps shows it to everyone): use SOCKETLAB_PASSWORD or --password-file');
  }
  if (positionals.length > 2) throw new UsageError(`a host and a port at most, not "${positionals.join(' ')}"`);
  // "client 9000" means port 9000 on localhost: a host name is never only digits.
  const [hostText, portText] = positionals.length === 1 && /^\d+$/.test(positionals[0]!) ? [undefined, positionals[0]] : positionals;
  const host = hostText ?? 'localhost';
  const port = Number(portText ?? 8080);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`the port must be a number from 1 to 65535, not "${portText}"`);
  if (host.trim() === '') throw new UsageError('the host must be a name or an address, such as localhost or 192.168.1.20');
  return {
    host,
    port,
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    knownServers: values['known-servers'],
    trust: values.trust,
    name: values.name,
    register: values.register,
    passwordFile: values['password-file'],
    help: values.help,
  };
}
