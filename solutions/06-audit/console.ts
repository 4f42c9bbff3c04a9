// Lab 6 (reference solution): the operator's console, on the server's standard input.
//
// The original room read its console with a loop around input(); once its input ended (run in
// the background, or with < /dev/null) every call returned at once, and the loop spun at 100%
// CPU for ever. Node's readline calls us once per line and once, with 'close', at the end: we
// answer each line, and at the end we simply stop listening. The sockets never wait for us,
// and we never wait for them: one event loop serves both.

import readline from 'node:readline';

/** What the console can ask of the server. */
export interface ConsoleActions {
  /** "present (2): alice, bob" */
  who(): string;
  /** The statistics as a table (audit-table.ts). */
  auditTable(): string;
  /** The statistics as one line of JSON. */
  auditJson(): string;
  /** Writes the table to a file; resolves to the file's path. */
  saveAudit(): Promise<string>;
  /** Stops the server: notices, closes, saves, exits. */
  shutdown(): void;
}

export const HELP = [
  'commands:',
  '  help         this list',
  '  who          who is logged in',
  '  audit        the statistics, as a table',
  '  audit json   the statistics, as one line of JSON',
  '  audit save   the table, written to audit-report.txt in the data folder',
  '  shutdown     tell every client, close every connection, save, and exit',
].join('\n');

export function startConsole(actions: ConsoleActions, input: NodeJS.ReadableStream = process.stdin): void {
  const lines = readline.createInterface({ input, terminal: false });
  lines.on('line', (line) => {
    const command = line.trim().replace(/\s+/g, ' ');
    switch (command) {
      case '':
        return;
      case 'help':
        return console.log(HELP);
      case 'who':
        return console.log(actions.who());
      case 'audit':
        return console.log(actions.auditTable());
      case 'audit json':
        return console.log(actions.auditJson());
      case 'audit save':
        actions.saveAudit().then(
          (file) => console.log(`audit written to ${file}`),
          (err: Error) => console.log(`could not write the audit: ${err.message}`),
        );
        return;
      case 'shutdown':
        return actions.shutdown();
      default:
        console.log(`unknown command "${command}": type help`);
    }
  });
  // The end of the input: no more commands will come. Nothing to do but say so once.
  lines.on('close', () => console.log('console input ended: commands are off (Ctrl+C still stops the server)'));
}
