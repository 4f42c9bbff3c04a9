// The class's gradebook: gradebook.csv (one row per student: status, total and per-lab
// points, for a spreadsheet or an LMS import) and gradebook.json (the same rows with every
// detail, for scripts). Students in name order, labs in teaching order.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../manifest.ts';
import type { GradebookRow } from './grade-submission.ts';
import type { Points } from './points.ts';

/** Changed kit files named in the CSV cell before it says how many more there are. */
const CSV_LISTED_FILES = 5;

export interface GradebookLabColumn {
  lab: number;
  slug: string;
  title: string;
  possible: number;
}

export interface Gradebook {
  version: 1;
  generatedAt: string;
  possible: number;
  labs: GradebookLabColumn[];
  students: GradebookRow[];
}

export function gradebook(rows: readonly GradebookRow[], labs: readonly Lab[], points: Points): Gradebook {
  const columns = labs.map((lab) => ({ lab: lab.number, slug: lab.slug, title: lab.title, possible: points.ofLab(lab) }));
  return {
    version: 1,
    generatedAt: new Date().toISOString(),
    possible: columns.reduce((sum, c) => sum + c.possible, 0),
    labs: columns,
    students: [...rows].sort((a, b) => a.student.localeCompare(b.student)),
  };
}

export function gradebookCsv(book: Gradebook): string {
  const header = ['student', 'status', 'points', 'possible', 'passed', 'failed', ...book.labs.map((l) => `lab ${l.lab} ${l.slug}`), 'modified kit files', 'message'];
  const lines = [header];
  for (const row of book.students) {
    const perLab = book.labs.map((column) => String(row.labs.find((l) => l.lab === column.lab)?.points ?? 0));
    const modified = modifiedSummary(row);
    lines.push([row.student, row.status, String(row.points), String(row.possible), String(row.passed), String(row.failed), ...perLab, modified, row.message?.split('\n')[0] ?? '']);
  }
  return lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function writeGradebook(out: string, book: Gradebook): void {
  writeFileSync(path.join(out, 'gradebook.csv'), gradebookCsv(book));
  writeFileSync(path.join(out, 'gradebook.json'), `${JSON.stringify(book, null, 2)}\n`);
}

/** A cell a person can read: the first few changed files; gradebook.json has the full list. */
function modifiedSummary(row: GradebookRow): string {
  const listed = row.modifiedKitFiles.slice(0, CSV_LISTED_FILES).map((m) => `${m.file} (${m.change})`);
  const more = row.modifiedKitFiles.length - listed.length;
  return [...listed, ...(more > 0 ? [`${more} more in gradebook.json`] : [])].join('; ');
}

/** RFC 4180 quoting; a leading = + - @ is defused so a spreadsheet never runs a student's "name" as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
