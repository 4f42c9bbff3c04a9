// Lab 5: the program's settings, read from its command line. Given complete.
// (Lab 4's settings, and one more: --handshake-timeout-ms.)
//
//   node --import tsx server.ts [port] [--data <folder>] [--scrypt-n <N>] [--lockout-ms <ms>]
//                               [--handshake-timeout-ms <ms>]
//
//   port               the TCP port to listen on (default 8080; the tests pass 0)
//   --data <folder>    where the accounts and the server's identity key are kept:
//                      <folder>/users.json and <folder>/identity-key.pem (default: .data/ beside
//                      this file, hidden so that the lab tools and git leave it alone). The
//                      folder is created if it is missing.
//   --scrypt-n <N>     scrypt's cost for *new* password hashes: a power of two (default 131072,
//                      2^17, OWASP's advice). Each hash keeps the cost it was made with, so
//                      raising N later does not lock anybody out.
//   --lockout-ms <ms>  how long logins for a name stay refused after MAX_FAILED_LOGINS failures
//                      in a row (default 300000: five minutes)
//   --handshake-timeout-ms <ms>
//                      how long a new connection has to finish its handshake before the server
//                      closes it (default 10000: ten seconds)
//
// The tests pass a low cost, a short lockout and a short handshake time (--scrypt-n 1024
// --lockout-ms 1500 --handshake-timeout-ms 1000), so a whole lab run takes seconds instead of
// minutes. Keep the defaults for anything real.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface Settings {
  port: number;
  dataDir: string;
  /** The user store: a JSON file inside the data folder. */
  storeFile: string;
  scryptN: number;
  lockoutMs: number;
  handshakeTimeoutMs: number;
}

const usage = 'usage: server.ts [port] [--data <folder>] [--scrypt-n <power of two>] [--lockout-ms <milliseconds>] [--handshake-timeout-ms <milliseconds>]';

function readSettings(args: string[]): Settings {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: fileURLToPath(new URL('.data', import.meta.url)) },
      'scrypt-n': { type: 'string', default: String(2 ** 17) },
      'lockout-ms': { type: 'string', default: String(5 * 60_000) },
      'handshake-timeout-ms': { type: 'string', default: String(10_000) },
    },
  });
  const port = Number(positionals[0] ?? 8080);
  const scryptN = Number(values['scrypt-n']);
  const lockoutMs = Number(values['lockout-ms']);
  const handshakeTimeoutMs = Number(values['handshake-timeout-ms']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`the port must be a number from 0 to 65535, not "${positionals[0]}"`);
  // scrypt needs N to be a power of two; past 2^20 one hash needs more than a GiB of memory.
  if (!Number.isInteger(Math.log2(scryptN)) || scryptN < 2 || scryptN > 2 ** 20) throw new Error(`--scrypt-n must be a power of two from 2 to 1048576, not "${values['scrypt-n']}"`);
  if (!Number.isInteger(lockoutMs) || lockoutMs < 0) throw new Error(`--lockout-ms must be a whole number of milliseconds, not "${values['lockout-ms']}"`);
  if (!Number.isInteger(handshakeTimeoutMs) || handshakeTimeoutMs < 1) throw new Error(`--handshake-timeout-ms must be a whole number of milliseconds, not "${values['handshake-timeout-ms']}"`);
  const dataDir = path.resolve(values.data);
  return { port, dataDir, storeFile: path.join(dataDir, 'users.json'), scryptN, lockoutMs, handshakeTimeoutMs };
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
