// `npm run solution N`: the learner's lab folder against the reference solution, file by
// file, as unified diffs ("-" your line, "+" the solution's line).

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../manifest.ts';
import type { Style } from '../report/style.ts';
import { listLabFiles } from './lab-files.ts';
import { diffLines, unifiedHunks } from './line-diff.ts';

export function formatSolutionDiff(lab: Lab, yours: string, reference: string, style: Style): string {
  const { color } = style;
  const mine = path.join(yours, lab.folder);
  const theirs = path.join(reference, lab.folder);
  const files = [...new Set([...listLabFiles(mine), ...listLabFiles(theirs)])].sort();
  const out = [color.bold(`Lab ${lab.number} · ${lab.title}: your code (-) against the reference solution (+)`), ''];
  const same: string[] = [];
  for (const file of files) {
    const a = path.join(mine, file);
    const b = path.join(theirs, file);
    if (!existsSync(b)) {
      out.push(color.bold(`${file}: only in your folder`), '');
      continue;
    }
    if (!existsSync(a)) {
      out.push(color.bold(`${file}: only in the solution`), ...readFileSync(b, 'utf8').trimEnd().split('\n').map((line) => color.green(`+${line}`)), '');
      continue;
    }
    const hunks = unifiedHunks(diffLines(readFileSync(a, 'utf8'), readFileSync(b, 'utf8')));
    if (!hunks.length) {
      same.push(file);
      continue;
    }
    out.push(color.bold(`--- ${path.relative(path.dirname(yours), a)}`), color.bold(`+++ ${path.relative(path.dirname(reference), b)}`));
    for (const line of hunks) out.push(line.startsWith('@@') ? color.cyan(line) : line.startsWith('-') ? color.red(line) : line.startsWith('+') ? color.green(line) : line);
    out.push('');
  }
  if (same.length) out.push(color.dim(`Identical: ${same.join(', ')}.`));
  return out.join('\n').trimEnd();
}
