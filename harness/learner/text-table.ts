// A table that fits the terminal: columns keep their natural width when they can, and the
// widest ones give up room (their cells wrap) when the whole would be too wide. Used for
// the tables in the guides and by `npm run progress`.

import { padVisible, visibleLength, wordWrap } from './text-wrap.ts';

export interface TableLook {
  /** Box-drawing lines on a terminal; plain ASCII when piped or colour is off. */
  fancy: boolean;
  head?: (text: string) => string;
}

export function layoutTable(header: string[], rows: string[][], width: number, look: TableLook): string[] {
  const columns = header.length;
  const natural = header.map((cell, i) => Math.max(visibleLength(cell), ...rows.map((row) => visibleLength(row[i] ?? ''))));
  const separator = look.fancy ? ' │ ' : ' | ';
  const widths = fitWidths(natural, Math.max(columns * 4, width - separator.length * (columns - 1)));

  const renderRow = (cells: string[], style = (s: string) => s) => {
    const wrapped = widths.map((w, i) => wordWrap(cells[i] ?? '', w));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    return Array.from({ length: height }, (_, line) =>
      wrapped
        .map((lines, i) => padVisible(style(lines[line] ?? ''), widths[i]!))
        .join(separator)
        .trimEnd(),
    );
  };
  const rule = widths.map((w) => (look.fancy ? '─' : '-').repeat(w)).join(look.fancy ? '─┼─' : '-+-');
  return [...renderRow(header, look.head), rule, ...rows.flatMap((row) => renderRow(row))];
}

/**
 * Shares `room` among columns: narrow columns keep their natural width, and what is left is
 * split evenly among the wide ones (water-filling), so one long column cannot squeeze the rest.
 */
function fitWidths(natural: number[], room: number): number[] {
  const widths = [...natural];
  let open = natural.map((_, i) => i);
  let left = room;
  while (open.length) {
    const share = Math.floor(left / open.length);
    const fits = open.filter((i) => natural[i]! <= share);
    if (!fits.length) {
      for (const i of open) widths[i] = Math.max(4, share);
      break;
    }
    for (const i of fits) left -= natural[i]!;
    open = open.filter((i) => !fits.includes(i));
  }
  return widths;
}
