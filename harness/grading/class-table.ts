// The table `npm run check -- --submissions` prints when the class is graded: one line per
// student with status, points and per-lab points, and the kit files they changed (counted).

import type { Style } from '../report/style.ts';
import type { Gradebook } from './gradebook.ts';

export function classTable(book: Gradebook, style: Style): string {
  const header = ['Student', 'Status', 'Points', ...book.labs.map((l) => `${l.lab} ${l.slug}`), 'Kit files changed'];
  const rows = book.students.map((row) => [
    row.student,
    row.status,
    `${row.points}/${row.possible}`,
    ...book.labs.map((column) => {
      const lab = row.labs.find((l) => l.lab === column.lab);
      return `${lab?.points ?? 0}/${column.possible}`;
    }),
    row.modifiedKitFiles.length ? String(row.modifiedKitFiles.length) : '-',
  ]);
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all
    .map((cells, r) => {
      const line = cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
      if (r === 0) return style.color.bold(line);
      return book.students[r - 1]!.status === 'graded' ? line : style.color.yellow(line);
    })
    .join('\n');
}

/** "20 submissions: 18 graded, 1 no-labs, 1 timed-out" */
export function classSummary(book: Gradebook): string {
  const counts = new Map<string, number>();
  for (const row of book.students) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status}`);
  return `${book.students.length} submission${book.students.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}
