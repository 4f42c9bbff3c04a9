// Lab 6: the program's settings, read from its command line. Given complete.
// (Lab 5's settings, and four more: --host, --stats-interval-ms, --log-max-bytes, --log-files.)
//
//   node --import tsx server.ts [port] [--host <address>] [--data <folder>] [--scrypt-n <N>]
//                               [--lockout-ms <ms>] [--handshake-timeout-ms <ms>]
//                               [--stats-interval-ms <ms>] [--log-max-bytes <bytes>] [--log-files <count>]
//
//   port               the TCP port to listen on (default 8080, as the original room; the tests pass 0)
//   --host <address>   the address to listen on (default 0.0.0.0: every IPv4 address of this
//                      machine, so that others can join; the tests pass 127.0.0.1)
//   --data <folder>    where the accounts, the identity key, the statistics and the event log are
//                      kept (default: .data/ beside this file). Created if it is missing.
//   --scrypt-n <N>     scrypt's cost for new password hashes (default 131072, 2^17)
//   --lockout-ms <ms>  how long a name stays locked after too many failed logins (default 300000)
//   --handshake-timeout-ms <ms>
//                      how long a new connection has to finish its handshake (default 10000)
//   --stats-interval-ms <ms>
//                      how often changed statistics are saved to <data>/stats.json (default
//                      10000): a crash loses at most this much of the counters
//   --log-max-bytes <bytes>
//                      the size at which <data>/events.log is rotated (default 1048576: 1 MiB)
//   --log-files <count>
//                      how many log files are kept in all, events.log included (default 5)
//
// The tests pass --host 127.0.0.1 --stats-interval-ms 200 and lab 5's low costs and short times.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface Settings {
  port: number;
  host: string;
  dataDir: string;
  /** The user store: a JSON file inside the data folder. */
  storeFile: string;
  scryptN: number;
  lockoutMs: number;
  handshakeTimeoutMs: number;
  statsIntervalMs: number;
  logMaxBytes: number;
  logFiles: number;
}

const usage =
  'usage: server.ts [port] [--host <address>] [--data <folder>] [--scrypt-n <power of two>] [--lockout-ms <ms>] ' +
  '[--handshake-timeout-ms <ms>] [--stats-interval-ms <ms>] [--log-max-bytes <bytes>] [--log-files <count>]';

/** A whole number from `min` up, or an error that names the option and what it got. */
function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number from ${min} up, not "${text}"`);
  return value;
}

export function readSettings(args: string[]): Settings {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '0.0.0.0' },
      data: { type: 'string', default: fileURLToPath(new URL('.data', import.meta.url)) },
      'scrypt-n': { type: 'string', default: String(2 ** 17) },
      'lockout-ms': { type: 'string', default: String(5 * 60_000) },
      'handshake-timeout-ms': { type: 'string', default: String(10_000) },
      'stats-interval-ms': { type: 'string', default: String(10_000) },
      'log-max-bytes': { type: 'string', default: String(1024 * 1024) },
      'log-files': { type: 'string', default: '5' },
    },
  });
  if (positionals.length > 1) throw new Error(`one port at most, not "${positionals.join(' ')}"`);
  const port = Number(positionals[0] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`the port must be a number from 0 to 65535, not "${positionals[0]}"`);
  const scryptN = Number(values['scrypt-n']);
  // scrypt needs N to be a power of two; past 2^20 one hash needs more than a GiB of memory.
  if (!Number.isInteger(Math.log2(scryptN)) || scryptN < 2 || scryptN > 2 ** 20) throw new Error(`--scrypt-n must be a power of two from 2 to 1048576, not "${values['scrypt-n']}"`);
  if (values.host.trim() === '') throw new Error('--host must be an address, such as 127.0.0.1 or 0.0.0.0');
  const dataDir = path.resolve(values.data);
  return {
    port,
    host: values.host,
    dataDir,
    storeFile: path.join(dataDir, 'users.json'),
    scryptN,
    lockoutMs: wholeNumber('--lockout-ms', values['lockout-ms'], 0),
    handshakeTimeoutMs: wholeNumber('--handshake-timeout-ms', values['handshake-timeout-ms'], 1),
    statsIntervalMs: wholeNumber('--stats-interval-ms', values['stats-interval-ms'], 10),
    // A line must fit in a file: below a few hundred bytes every event would start a new file.
    logMaxBytes: wholeNumber('--log-max-bytes', values['log-max-bytes'], 512),
    logFiles: wholeNumber('--log-files', values['log-files'], 1),
  };
}

function settingsOrExit(): Settings {
  try {
    return readSettings(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
}

export const settings = settingsOrExit();
