// `npm run progress`: a bar for the whole course, then one row per lab: its status, best
// result, when it first passed and how long that took from the first run, hints used.

import { labs } from '../manifest.ts';
import type { Style } from '../report/style.ts';
import { nextLab, statusLabel, statusOf } from './lab-status.ts';
import { hintsUsed, type Progress } from './progress-store.ts';
import { layoutTable } from './text-table.ts';

export function formatProgress(progress: Progress, style: Style, width = 80): string {
  const { color } = style;
  const fancy = color.level > 0;
  const done = labs.filter((lab) => statusOf(progress, lab).kind === 'passed').length;
  const barWidth = 24;
  const filled = Math.round((barWidth * done) / labs.length);
  const bar = fancy ? color.green('█'.repeat(filled)) + color.dim('░'.repeat(barWidth - filled)) : `${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}`;
  const rows = labs.map((lab) => {
    const record = progress.labs[lab.folder];
    const status = statusOf(progress, lab);
    const label = statusLabel(status);
    return [
      `${lab.number} ${lab.title}`,
      status.kind === 'passed' ? color.green(label) : status.kind === 'failing' ? color.yellow(label) : color.dim(label),
      record?.best ? `${record.best.passed}/${record.best.total}` : '',
      record?.firstPassedAt ? when(record.firstPassedAt) : '',
      record?.firstPassedAt && record.firstRunAt ? duration(record.firstRunAt, record.firstPassedAt) : '',
      String(hintsUsed(record) || ''),
    ];
  });
  const table = layoutTable(['lab', 'status', 'best', 'first passed', 'took', 'hints'], rows, width - 2, { fancy, head: color.bold });
  const next = nextLab(progress);
  const closing =
    done === labs.length ? color.green('Every lab passed. Well done!') : `Next: lab ${next.number}, ${next.title}: npm run lab ${next.number} (the guide: npm run docs ${next.number})`;
  return [`${color.bold('Your progress')}  [${bar}] ${done} of ${labs.length} labs passed`, '', ...table.map((line) => `  ${line}`), '', closing].join('\n');
}

/** "2025-03-14 09:26", local time: readable, and the same on every platform. */
function when(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function duration(fromIso: string, toIso: string): string {
  const minutes = Math.max(0, Math.round((new Date(toIso).getTime() - new Date(fromIso).getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}
