// A lab's status as the menu, the list and `npm run progress` show it: not started, failing
// N of M, or passed, judged by its last run; and which lab comes next.

import { labs, type Lab } from '../manifest.ts';
import type { Style } from '../report/style.ts';
import type { Progress } from './progress-store.ts';

export type LabStatus = { kind: 'not-started' } | { kind: 'failing'; failing: number; total: number } | { kind: 'passed' };

export function statusOf(progress: Progress, lab: Lab): LabStatus {
  const last = progress.labs[lab.folder]?.last;
  if (!last) return { kind: 'not-started' };
  if (last.total > 0 && last.passed === last.total) return { kind: 'passed' };
  return { kind: 'failing', failing: last.total - last.passed, total: last.total };
}

export function statusLabel(status: LabStatus): string {
  switch (status.kind) {
    case 'not-started':
      return 'not started';
    case 'failing':
      return `failing ${status.failing} of ${status.total}`;
    case 'passed':
      return 'passed';
  }
}

/** The first lab, in order, that has not passed; when every lab passed, the last one. */
export function nextLab(progress: Progress): Lab {
  return labs.find((lab) => statusOf(progress, lab).kind !== 'passed') ?? labs.at(-1)!;
}

/** " 1  Echo server        passed": a lab and its status, for the menu and the list. */
export function labChoiceLine(lab: Lab, status: LabStatus, style: Style): string {
  // Padded before colouring, so the columns after it line up whatever the status says.
  const label = statusLabel(status).padEnd('failing 99 of 99'.length);
  const coloured = status.kind === 'passed' ? style.color.green(label) : status.kind === 'failing' ? style.color.yellow(label) : style.color.dim(label);
  const width = Math.max(...labs.map((l) => l.title.length));
  return `${String(lab.number).padStart(2)}  ${lab.title.padEnd(width)}  ${coloured}`;
}
