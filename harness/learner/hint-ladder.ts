// Each lab's hints, one ladder per scenario, from nudge to concept to near-solution, in
// docs/hints/<lab folder>.md: a "## <scenario-id>" section per scenario holding a numbered
// list, one step per item. A scenario without a ladder (or a lab without a file) falls
// back to the scenario's own one-line hint from the manifest.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, type Lab, type ScenarioSpec } from '../manifest.ts';

export function ladderFile(lab: Lab): string {
  return path.join(repoRoot, 'docs', 'hints', `${lab.folder}.md`);
}

/** Scenario id → steps (markdown), in the order the file gives them. */
export function parseLadders(markdown: string): Map<string, string[]> {
  const ladders = new Map<string, string[]>();
  let steps: string[] | undefined;
  let inFence = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^##\s+`?([\w-]+)`?\s*$/.exec(line);
    if (heading) {
      steps = [];
      ladders.set(heading[1]!, steps);
      continue;
    }
    if (!steps) continue;
    const item = inFence ? null : /^\d+\.\s+(.*)$/.exec(line);
    if (item) steps.push(item[1]!);
    // Continuation lines belong to the current step, its list indentation removed.
    else if (steps.length) steps[steps.length - 1] += `\n${line.replace(/^ {1,3}/, '')}`;
  }
  for (const list of ladders.values()) list.forEach((step, i) => (list[i] = step.trim()));
  return ladders;
}

export function loadLadders(lab: Lab): Map<string, string[]> {
  try {
    return parseLadders(readFileSync(ladderFile(lab), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw err;
  }
}

/** The steps for one scenario: its ladder, or its manifest hint as a ladder of one. */
export function ladderFor(lab: Lab, scenario: ScenarioSpec, ladders = loadLadders(lab)): string[] {
  const steps = ladders.get(scenario.id);
  return steps?.length ? steps : [scenario.hint];
}
