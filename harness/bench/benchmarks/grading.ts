// Benchmark 2, grading throughput: an instructor grading a class with
// `npm run check -- --submissions <folder>`. The class is made in a temporary folder: copies
// of the reference solutions (students who did everything), and a few broken ones taken from
// the kit's own fixtures (a lab 1 that echoes only the first chunk, one that blocks its event
// loop, one that exits at once) and its zipped submission. Removed afterwards.

import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Gradebook } from '../../grading/gradebook.ts';
import type { ResultsDocument } from '../../grading/results-document.ts';
import { repoRoot } from '../../manifest.ts';
import type { Benchmark, BenchOutput, BenchSettings } from '../benchmark.ts';
import { formatLoad, loadAverage } from '../machine.ts';
import { round } from '../stats.ts';
import { timeKitCommand } from '../timed-command.ts';

const GOAL_S = 60;
const GOAL_CLASS = 50;
/** Every fifth student's submission is broken, in turn one of these. */
const BROKEN = ['first-chunk-only', 'blocks-event-loop', 'exits-at-once', 'zipped.zip'] as const;

/** Writes the class: `size` entries, one folder (or .zip) per student. Returns what each one is. */
export function makeClass(dir: string, size: number): Record<string, string> {
  const kinds: Record<string, string> = {};
  for (let i = 0; i < size; i++) {
    const student = `student-${String(i + 1).padStart(3, '0')}`;
    const broken = i % 5 === 4 ? BROKEN[Math.floor(i / 5) % BROKEN.length]! : undefined;
    if (broken === 'zipped.zip') {
      cpSync(path.join(repoRoot, 'harness', 'fixtures', 'submissions', 'zipped.zip'), path.join(dir, `${student}.zip`));
    } else {
      cpSync(path.join(repoRoot, 'solutions'), path.join(dir, student), { recursive: true, filter: (source) => !source.includes(`${path.sep}.data`) });
      if (broken) cpSync(path.join(repoRoot, 'harness', 'fixtures', '01-echo', broken, '01-echo'), path.join(dir, student, '01-echo'), { recursive: true });
    }
    kinds[student] = broken ?? 'solutions';
  }
  return kinds;
}

export const grading: Benchmark = {
  name: 'grading',
  summary: 'npm run check -- --submissions: a class of solutions and broken submissions',
  async run(settings: BenchSettings): Promise<BenchOutput> {
    const size = settings.classSize ?? (settings.quick ? 2 : 8);
    const labsArg = settings.quick ? ['--labs', '1'] : [];
    const work = mkdtempSync(path.join(os.tmpdir(), 'socketlab-bench-class-'));
    try {
      const classDir = path.join(work, 'class');
      const out = path.join(work, 'out');
      const kinds = makeClass(classDir, size);
      settings.progress(`grading: a class of ${size}${settings.quick ? ' (lab 1 only)' : ''}`);
      const run = await timeKitCommand('check', ['--submissions', classDir, '--out', out, ...labsArg], {
        capMs: Math.max(120_000, size * 60_000),
        env: { SOCKETLAB_STATE_DIR: path.join(work, 'state') },
        signal: settings.signal,
      });
      const load = loadAverage();
      let book: Gradebook | undefined;
      try {
        book = JSON.parse(readFileSync(path.join(out, 'gradebook.json'), 'utf8')) as Gradebook;
      } catch {
        // No gradebook: the row says so.
      }
      const seconds = run.ms / 1000;
      const perStudent = seconds / size;
      const statuses = book ? Object.entries(count(book.students.map((s) => s.status))).map(([status, n]) => `${n} ${status}`).join(', ') : `no gradebook (exit ${run.code}${run.killed ? ', stopped at the cap' : ''})`;
      // A solution must pass everything; a broken lab 1 must lose points (the zip holds only a lab 1 of its own: either is fine).
      const wrong = book?.students.filter((s) => (kinds[s.student] === 'solutions' ? s.failed > 0 || s.status !== 'graded' : kinds[s.student] !== 'zipped.zip' && s.failed === 0)).map((s) => s.student) ?? [];
      // What a solution failed (a verdict that changed with the machine's load): read before the folder goes.
      const unexpected = Object.fromEntries(wrong.map((student) => [student, failedScenarios(path.join(out, student, 'results.json'))]));
      const projected = perStudent * GOAL_CLASS;
      const rows: (string | number)[][] = [
        [`${size} submissions (${Object.values(kinds).filter((k) => k !== 'solutions').length} broken)`, round(seconds, 1), round(perStudent, 2), round(60 / perStudent, 1), statuses, formatLoad(load)],
      ];
      if (size !== GOAL_CLASS) rows.push([`${GOAL_CLASS} submissions, projected from this run`, round(projected, 0), round(perStudent, 2), round(60 / perStudent, 1), 'linear projection', '']);
      return {
        tables: [
          {
            title: `Grading a class: npm run check -- --submissions <class>${settings.quick ? ' --labs 1' : ' (every lab)'}`,
            headers: ['class', 'wall s', 's / submission', 'submissions / min', 'gradebook', 'load 1/5/15'],
            rows,
            notes: [
              `Goal: a class of ${GOAL_CLASS} in ≤ ${GOAL_S} s: ${(size === GOAL_CLASS ? seconds : projected) <= GOAL_S ? 'met' : 'MISSED'}${size === GOAL_CLASS ? '' : ' (projected; npm run bench -- grading --class-size 50 for the real figure)'}.`,
              `check grades ${os.availableParallelism()} submissions at once (--jobs defaults to the core count); each submission is one run of vitest for all its labs, one lab after another.`,
              wrong.length
                ? `Graded unexpectedly (a solution failing, or a broken one passing): ${wrong.map((s) => `${s} (${unexpected[s]?.join(', ') || 'no failure recorded'})`).join('; ')}`
                : 'Every solution passed and every broken lab 1 lost points, as expected.',
            ],
          },
        ],
        figures: { size, labs: settings.quick ? [1] : 'all', seconds, perStudent, projectedFor50: projected, kinds, unexpected, students: book?.students.map((s) => ({ student: s.student, status: s.status, passed: s.passed, failed: s.failed, durationMs: s.durationMs })), load },
      };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/** "lab N id (status)" for every scenario that did not pass in a student's results.json. */
function failedScenarios(file: string): string[] {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as ResultsDocument;
    return doc.labs.flatMap((lab) => lab.scenarios.filter((s) => s.status !== 'pass').map((s) => `lab ${lab.lab} ${s.id} (${s.status})`));
  } catch {
    return [];
  }
}

function count(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
