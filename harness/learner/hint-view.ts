// How a hint reads, in `npm run hint` and in watch mode: which scenario, which step of how
// many, the hint itself, and how to get the next step.

import type { Lab } from '../manifest.ts';
import type { Style } from '../report/style.ts';
import type { HintAnswer } from './hint-giver.ts';
import { renderMarkdown } from './markdown.ts';

export interface HintViewOptions {
  style: Style;
  width: number;
  /** How to ask for the next step here: "npm run hint 3" or "press h again". */
  again: string;
}

export function formatHint(answer: HintAnswer, lab: Lab, { style, width, again }: HintViewOptions): string {
  const { color } = style;
  if (answer.kind === 'passed') {
    return `Lab ${lab.number} passes: no hint needed. To read the hints of one scenario anyway: npm run hint ${lab.number} <scenario>.`;
  }
  const out: string[] = [];
  if (answer.because === 'not-run') out.push(color.dim(`You have not run lab ${lab.number} yet; here is a hint for its first scenario.`));
  out.push(`${color.yellow.bold(`Hint ${answer.step} of ${answer.of}`)} for ${color.bold(answer.scenario.id)}: ${answer.scenario.title}`);
  const text = renderMarkdown(answer.text, { color: color.level > 0, width: width - 2 });
  out.push(...text.split('\n').map((line) => (line ? `  ${line}` : line)));
  if (answer.step < answer.of) out.push(color.dim(`More help: ${again} for step ${answer.step + 1} of ${answer.of}.`));
  else out.push(color.dim(`${answer.lastAgain ? 'That was already the last step. ' : 'That was the last step. '}Once the lab passes, compare with the reference: npm run solution ${lab.number}.`));
  return out.join('\n');
}
