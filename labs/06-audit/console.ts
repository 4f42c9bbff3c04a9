// Lab 6: the operator's console, on the server's standard input. This file is yours.
//
// The original room read its console with a loop around input(). Once its input ended (run in
// the background, or with < /dev/null), every call returned at once, and the loop spun at 100%
// CPU for ever. Node's readline calls you once per line, and once with 'close' at the end of
// the input: answer each line, and at the end simply stop. The sockets never wait for the
// console, and the console never waits for them: one event loop serves both.
// The commands: docs/protocol.md, "The console". The guide: npm run docs 6, "A console on stdin".

import readline from 'node:readline';

/** What the console can ask of the server (server.ts gives these, complete). */
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
    // TODO: answer each command (help, who, audit, audit json, audit save, shutdown) with what
    //       `actions` gives, on standard output. Spaces around and between words do not matter;
    //       an empty line is ignored; anything else gets: unknown command "…": type help
    console.log(`"${line.trim()}": not implemented yet (console.ts)`);
  });
  // TODO: when the input ends ('close'), no command will ever come again: say so once, and
  //       read no more. The server goes on serving.
}
