// The tables the benchmarks print: plain aligned columns, numbers to the right. Bold headings
// only for a person at a terminal (styleFor honours NO_COLOR and pipes).

import type { Style } from '../report/style.ts';

export interface Table {
  title: string;
  headers: string[];
  rows: (string | number)[][];
  /** Lines printed under the table: what the figures mean, goals, caveats. */
  notes?: string[];
}

const isNumeric = (cell: string) => /^[-+]?[\d.,]+\s*(?:%|ms|s|MB|KB|x|×)?$/.test(cell.trim());

export function renderTable(table: Table, style: Style): string {
  const cells = table.rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = table.headers.map((header, column) => Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (isNumeric(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const out = [style.color.bold(table.title), style.color.bold(line(table.headers)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of cells) out.push(line(row));
  for (const note of table.notes ?? []) out.push(style.color.dim(note));
  return out.join('\n');
}

/** Numbers as people read them: thousands grouped, at most 3 significant decimals for small values. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? '-' : String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
