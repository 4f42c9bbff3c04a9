// `npm run server -- [port]`: the finished chat room's server (lab 6), started as the original
// room was (`python server.py [port]`, port 8080 by default), with its data kept in one place.
// The server itself prints its key's fingerprint, the addresses it can be reached on and its
// console commands; this launcher only checks the command line and starts it.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../manifest.ts';
import { IMPL_HELP, roomProgram, runProgram, userDir } from './room-launch.ts';
import { runCli, UsageError } from './usage-error.ts';

const DEFAULT_DATA = path.join(repoRoot, '.socketlab', 'room');

const usage = `usage: npm run server -- [port] [options]

  port                 the TCP port to listen on (default 8080; 0 for any free port)
  --host <address>     the address to listen on (default 0.0.0.0: every IPv4 address of this
                       machine, so that others can join; 127.0.0.1: this machine only)
  --data <folder>      where the accounts, the server's identity key, the statistics and the event
                       log are kept (default: ${path.relative(userDir(), DEFAULT_DATA) || '.'})
${IMPL_HELP}
  -h, --help           this help

Passed on to the server as they are (docs/protocol.md, "Lab 6"): --scrypt-n, --lockout-ms,
--handshake-timeout-ms, --stats-interval-ms, --log-max-bytes, --log-files.

The server prints its key's fingerprint (clients are asked to compare it), the addresses it can
be reached on, and its console commands: type help, who, audit or shutdown here. Ctrl+C stops
it cleanly: every client is told, the statistics are saved.`;

/** The server's own tuning options: the launcher passes them on and leaves checking them to the server. */
const TUNING = ['scrypt-n', 'lockout-ms', 'handshake-timeout-ms', 'stats-interval-ms', 'log-max-bytes', 'log-files'] as const;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '0.0.0.0' },
      data: { type: 'string' },
      impl: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      'scrypt-n': { type: 'string' },
      'lockout-ms': { type: 'string' },
      'handshake-timeout-ms': { type: 'string' },
      'stats-interval-ms': { type: 'string' },
      'log-max-bytes': { type: 'string' },
      'log-files': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`one port at most, not "${positionals.join(' ')}"`);
  const port = positionals[0] ?? '8080';
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UsageError(`the port must be a number from 0 to 65535, not "${port}"`);
  const host = values.host;
  if (host.trim() === '') throw new UsageError('--host needs an address, such as 127.0.0.1 or 0.0.0.0');
  const program = roomProgram(values.impl, 'server.ts');
  // Absolute, so that it means the same folder whatever the server's own working folder.
  const data = values.data === undefined ? DEFAULT_DATA : path.resolve(userDir(), values.data);

  const tuning = TUNING.flatMap((name) => {
    const value = values[name];
    return value === undefined ? [] : [`--${name}`, value];
  });
  return runProgram(program, [port, '--host', host, '--data', data, ...tuning]);
}

await runCli(main);
