// Lab 6: the audit as a table a person reads. Given complete: presentation, not networking.
//
//   up 0:03:12 · connections: 2 now, 14 in all, 1 rejected
//   user    logons  logoffs  failed  messages  bytes  last seen             addresses
//   alice        3        2       1         7    161  2026-11-24 15:04:05   127.0.0.1
//
// Built from the statistics only: the user store, and the password hashes in it, never get here.

import type { Audit } from './stats.ts';

function duration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(seconds / 3600)}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

export function formatAuditTable(audit: Audit): string {
  const { now, total, rejected } = audit.connections;
  const header = ['user', 'logons', 'logoffs', 'failed', 'messages', 'bytes', 'last seen', 'addresses'];
  const rows = Object.entries(audit.users)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, user]) => [
      name,
      String(user.logons),
      String(user.logoffs),
      String(user.failedLogins),
      String(user.messages),
      String(user.bytes),
      user.lastSeen ? user.lastSeen.slice(0, 19).replace('T', ' ') : '-',
      user.addresses.join(', ') || '-',
    ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  // Names and texts to the left, numbers to the right, as in any table of figures.
  const numeric = (column: number) => column >= 1 && column <= 5;
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (numeric(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [
    `up ${duration(audit.uptimeMs)} · connections: ${now} now, ${total} in all, ${rejected} rejected`,
    line(header),
    ...(rows.length ? rows.map(line) : ['(no account has been used yet)']),
  ].join('\n');
}
