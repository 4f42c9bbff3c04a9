// Lab 6's scenarios, in the order they are taught. The manifest lists them; audit.lab.ts
// implements them; docs/06-audit.md describes them in "What the tests do".

import type { ScenarioSpec } from '../../manifest.ts';

export const auditScenarios: ScenarioSpec[] = [
  {
    id: 'counts-match',
    title: 'the harness connects, registers, logs in, fails logins, chats and leaves; `audit json` then shows exactly those counts',
    hint: 'Count each event where it happens, before anything else runs: a connection when it is accepted, a logon only after the password was right, a failed login for an existing account only, a message and its UTF-8 bytes when it is relayed, a logoff when a logged-in connection closes, however it closed.',
  },
  {
    id: 'audit-table',
    title: '`audit` prints a table a person can read, with a row for each account and the connection counts; `help` and `who` answer too',
    hint: 'Read standard input line by line (readline) and answer each command on standard output. `audit` prints the same figures as `audit json`, one account per row.',
  },
  {
    id: 'audit-under-load',
    title: 'twenty clients chat while the operator types `audit json` again and again: every answer comes at once, and the last one counts every message',
    hint: 'The console and the sockets share one event loop: a command must answer from what is in memory, never wait on the disk or loop over anything slow.',
    timeoutMs: 15_000,
  },
  {
    id: 'shutdown',
    title: '`shutdown` sends every client a sealed shutdown notice before it closes the connection, then the server saves its files and exits with code 0',
    hint: 'Stop accepting first (server.close()), then send each client the notice and end() its socket, so the notice leaves before the FIN. Exit only once every socket has closed and the statistics are saved.',
    // 15 s: two starts, and up to 4.5 s for the clean stop
    timeoutMs: 15_000,
  },
  {
    id: 'event-log',
    title: 'the event log holds one JSON line per event, in the order the harness caused them: connect, handshake failure, register, login, failures, lockout, protocol error, disconnect',
    hint: 'Append one complete line per event as it happens, with its time. Log the disconnect once, in the socket\'s close handler, with the reason you noted when you decided to close.',
  },
  {
    id: 'no-secrets',
    title: 'the log, the statistics, `audit json` and the saved audit report hold no password, no password hash or salt, no key and no chat text',
    hint: 'Write down what you need to count, never what was said: a name, an address, a number of bytes. The audit report is built from the statistics, not from the user store.',
  },
  {
    id: 'log-rotation',
    title: 'with a small --log-max-bytes, the log rotates: never more than --log-files files, none past the limit, every line whole, no event lost from the newest files',
    hint: 'Before appending a line that would take the file past the limit, rename events.log.(n-1) to events.log.n, down to events.log → events.log.1, dropping the oldest, then start a new events.log.',
    // 15 s: two starts of the program
    timeoutMs: 15_000,
  },
  {
    id: 'stats-survive-restart',
    title: 'after a `shutdown` and a new start the statistics go on from where they were; after a crash, everything older than one save period is still there',
    hint: 'Load stats.json at start-up. Save it atomically (a temporary file, fsync, rename over the old one) every --stats-interval-ms when something changed, and once more at shutdown.',
    // 20 s: three starts of the program, and up to ten save periods twice
    timeoutMs: 20_000,
  },
  {
    id: 'corrupt-stats',
    title: 'a damaged stats.json stops the server at start-up with a clear message, and is left as it was',
    hint: 'A file that exists but does not parse is not "no statistics yet": refuse to start, say which file is damaged, and never write over it.',
    // 20 s: four starts of the program, each up to 5 s on a loaded machine
    timeoutMs: 20_000,
  },
  {
    id: 'stdin-closed',
    title: 'with its standard input closed, the server uses no CPU while idle, and still serves clients',
    hint: 'When the console\'s input ends (readline\'s \'close\'), stop reading it. A loop that keeps asking a closed input for a line spins at 100% CPU, as the original room did.',
    waitsOnTimer: true,
  },
];
