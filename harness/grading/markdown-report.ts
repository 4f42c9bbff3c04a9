// report.md: what a student or a TA reads. The score table, then for each lab the text
// `npm run lab --verbose` prints, with every failed scenario explained in full (expected and
// received bytes, the wire transcript, the program's output, the hint).

import { formatLabResult } from '../report/format.ts';
import { plainStyle } from '../report/style.ts';
import type { LabGrade } from './grade-tree.ts';
import type { ResultsDocument } from './results-document.ts';
import { markdownScoreTable } from './score-table.ts';

/** `notes`: markdown paragraphs shown before the table (kit files a student changed…). */
export function markdownReport(doc: ResultsDocument, grades: readonly LabGrade[], notes: readonly string[] = []): string {
  const out = [`# socketlab results: ${doc.target}`, ''];
  out.push(`**${doc.passed} passed, ${doc.failed} failed** · ${doc.points} of ${doc.possible} points`, '');
  if (doc.message) out.push(`> The grading could not complete: ${doc.message.split('\n').join(' ')}`, '');
  for (const note of notes) out.push(note, '');
  if (doc.labs.length) out.push(markdownScoreTable(doc), '');
  for (const grade of grades) {
    out.push(`## Lab ${grade.lab.number} · ${grade.lab.title}`, '');
    if (grade.outcome === 'no-scenarios') {
      out.push('This lab has no scenarios yet.', '');
      continue;
    }
    out.push(...fenced(formatLabResult(grade.result, plainStyle, { verbose: true })), '');
  }
  return out.join('\n');
}

/** A code fence longer than any run of backticks inside, so a program's output cannot end it. */
function fenced(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}text`, text, fence];
}
