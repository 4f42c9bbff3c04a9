// What follows a run of the learner's own code: the progress file learns the result, and
// the learner reads either the next step after a pass (congratulations, what the next lab
// teaches, the reference solution) or where to get unstuck after a failure.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { labs, repoRoot, type Lab } from '../manifest.ts';
import type { Style } from '../report/style.ts';
import { failed, type LabResult } from '../runner/results.ts';
import { ladderFor } from './hint-ladder.ts';
import { hintsUsed, labProgress, recordRun, type ProgressStore } from './progress-store.ts';

export interface AfterRunOptions {
  lab: Lab;
  store: ProgressStore;
  style: Style;
  /** How the learner asks for a hint here, as the start of a sentence: "Run npm run hint 1" or "Press h". */
  askForHint: string;
}

/** Records the run and returns the lines to show after the results. */
export function recordAndAdvise(result: LabResult, { lab, store, style, askForHint }: AfterRunOptions): string[] {
  const before = structuredClone(labProgress(store.load(), lab));
  const after = labProgress(
    store.update((progress) => recordRun(progress, lab, result)),
    lab,
  );
  const { color } = style;
  if (failed(result) > 0 || result.runError) {
    const failing = result.scenarios.find((s) => s.status !== 'pass');
    const spec = lab.scenarios.find((s) => s.id === failing?.id);
    if (!spec) return [];
    const steps = ladderFor(lab, spec).length;
    const seen = after.hints[spec.id] ?? 0;
    const offer = seen >= steps ? `${askForHint} to see its last hint again` : `${askForHint} for a hint (step ${seen + 1} of ${steps})`;
    return [color.dim(`Stuck on ${spec.id}? ${offer}. To run just this scenario again: npm run lab ${lab.number} replay.`)];
  }

  const out = [color.green.bold(`Lab ${lab.number} passed. Well done!`)];
  if (!before.firstPassedAt) {
    const hints = hintsUsed(after);
    out[0] += ` It took you ${after.runs} run${after.runs === 1 ? '' : 's'}${hints ? ` and ${hints} hint${hints === 1 ? '' : 's'}` : ''}.`;
  }
  const next = labs.find((l) => l.number > lab.number);
  if (next) {
    out.push(`Next: lab ${next.number}, ${color.bold(next.title)}: ${next.teaches}.`);
    const guide = existsSync(path.join(repoRoot, next.docs)) ? `read its guide with npm run docs ${next.number}, then ` : '';
    out.push(`  Start when you are ready: ${guide}npm run lab ${next.number}.`);
  } else {
    out.push('That was the last lab.');
  }
  out.push(`Compare your code with the reference solution: npm run solution ${lab.number}.`);
  return out;
}

/** Puts extra lines before the closing "N passed, M failed" line, which stays last for CI and people. */
export function beforeClosingLine(report: string, extra: string[]): string {
  if (!extra.length) return report;
  const cut = report.lastIndexOf('\n');
  return `${report.slice(0, cut)}\n${extra.join('\n')}\n\n${report.slice(cut + 1)}`;
}
