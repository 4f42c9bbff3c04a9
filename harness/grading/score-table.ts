// The score table of one graded tree: per lab, scenarios passed / total, points, time and
// the first failing scenario. The same rows print in the terminal (`npm run check`) and in
// report.md, so a TA reads the same thing a student does.

import type { Style } from '../report/style.ts';
import type { LabEntry, ResultsDocument } from './results-document.ts';

const HEADINGS = ['Lab', 'Passed', 'Points', 'Time', 'First failure'] as const;
/** The first-failure column is cut here in the terminal; report.md has room for all of it. */
const NOTE_CHARS = 70;

type Row = [lab: string, passed: string, points: string, time: string, note: string];

function rows(doc: ResultsDocument): Row[] {
  const body = doc.labs.map((lab): Row => [`${lab.lab} ${lab.slug}`, lab.total ? `${lab.passed}/${lab.total}` : '-', `${lab.points}/${lab.possible}`, lab.outcome === 'ran' || lab.outcome === 'timed-out' || lab.outcome === 'run-error' ? time(lab.durationMs) : '-', note(lab)]);
  return [...body, ['Total', `${doc.passed}/${doc.passed + doc.failed}`, `${doc.points}/${doc.possible}`, time(doc.durationMs), '']];
}

function note(lab: LabEntry): string {
  if (lab.outcome === 'no-scenarios') return 'no scenarios yet';
  if (lab.outcome !== 'ran' && lab.message) return firstLine(lab.message);
  if (!lab.firstFailure) return '';
  return `${lab.firstFailure.id}: ${firstLine(lab.firstFailure.message)}`;
}

export function scoreTable(doc: ResultsDocument, style: Style): string {
  const all: string[][] = [[...HEADINGS], ...rows(doc).map((row) => [...row.slice(0, 4), clip(row[4], NOTE_CHARS)])];
  const widths = HEADINGS.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  return all
    .map((row, r) => {
      const line = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
      return r === 0 || r === all.length - 1 ? style.color.bold(line) : line;
    })
    .join('\n');
}

export function markdownScoreTable(doc: ResultsDocument): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [`| ${HEADINGS.join(' | ')} |`, `|${HEADINGS.map(() => '---').join('|')}|`];
  for (const row of rows(doc)) lines.push(`| ${row.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

const time = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const firstLine = (text: string) => text.split('\n')[0] ?? text;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
