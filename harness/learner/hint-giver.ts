// "Give me a hint": picks the scenario (the one named, else the one that failed last, else
// the lab's first), shows the next step of its ladder, and records it in the progress file
// so that asking again, here or in watch mode, climbs the ladder.

import type { Lab, ScenarioSpec } from '../manifest.ts';
import { UsageError } from '../cli/usage-error.ts';
import { ladderFor } from './hint-ladder.ts';
import { labProgress, recordHint, type ProgressStore } from './progress-store.ts';
import { statusOf } from './lab-status.ts';

export type HintAnswer =
  | {
      kind: 'hint';
      scenario: ScenarioSpec;
      step: number;
      of: number;
      text: string;
      /** Why this scenario: the learner named it, it failed last, or the lab has not been run. */
      because: 'named' | 'failing' | 'not-run';
      /** The ladder was already climbed to the top: this step was shown before. */
      lastAgain: boolean;
    }
  | { kind: 'passed' };

export interface HintRequest {
  /** A scenario the learner asked about by id. */
  named?: string;
  /**
   * The scenario that just failed, when the caller knows (watch mode); otherwise the
   * progress file's last failing scenario. `null`: the last run passed.
   */
  failing?: string | null;
}

export function nextHint(store: ProgressStore, lab: Lab, request: HintRequest = {}): HintAnswer {
  const progress = store.load();
  const record = labProgress(progress, lab);
  let scenario: ScenarioSpec | undefined;
  let because: 'named' | 'failing' | 'not-run';
  if (request.named) {
    scenario = lab.scenarios.find((s) => s.id === request.named);
    if (!scenario) throw new UsageError(`lab ${lab.number} has no scenario "${request.named}"; its scenarios are ${lab.scenarios.map((s) => s.id).join(', ') || '(none yet)'}`);
    because = 'named';
  } else {
    const failing = request.failing === undefined ? (statusOf(progress, lab).kind === 'passed' ? null : record.lastFailing?.scenario) : request.failing;
    if (failing === null) return { kind: 'passed' };
    scenario = lab.scenarios.find((s) => s.id === failing);
    because = scenario ? 'failing' : 'not-run';
    scenario ??= lab.scenarios[0];
    if (!scenario) throw new UsageError(`lab ${lab.number} has no scenarios yet, so no hints either`);
  }
  const steps = ladderFor(lab, scenario);
  const shown = record.hints[scenario.id] ?? 0;
  const step = Math.min(shown + 1, steps.length);
  store.update((p) => recordHint(p, lab, scenario.id, step));
  return { kind: 'hint', scenario, step, of: steps.length, text: steps[step - 1]!, because, lastAgain: shown >= steps.length };
}
