// The files of one graded tree, in one folder: results.json (machines), junit.xml (CI and
// LMS importers), report.md (people). The same three for `npm run check` and for each student.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabGrade } from './grade-tree.ts';
import { junitXml } from './junit-writer.ts';
import { markdownReport } from './markdown-report.ts';
import type { ResultsDocument } from './results-document.ts';

export const RESULT_FILES = ['results.json', 'junit.xml', 'report.md'] as const;

export function writeResults(folder: string, doc: ResultsDocument, grades: readonly LabGrade[], notes: readonly string[] = []): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'results.json'), `${JSON.stringify(doc, null, 2)}\n`);
  writeFileSync(path.join(folder, 'junit.xml'), junitXml(doc));
  writeFileSync(path.join(folder, 'report.md'), markdownReport(doc, grades, notes));
}
