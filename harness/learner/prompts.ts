// The few questions the kit asks (which lab, what to do, "are you sure?"), through
// @inquirer/prompts. They are asked only at a terminal; elsewhere argv must say it all
// (`--yes`), and a missing answer is a usage error, never a prompt that hangs CI.

import { confirm, select } from '@inquirer/prompts';
import { labs, type Lab } from '../manifest.ts';
import type { Style } from '../report/style.ts';
import { UsageError } from '../cli/usage-error.ts';
import { labChoiceLine, nextLab, statusOf, type LabStatus } from './lab-status.ts';
import type { Progress } from './progress-store.ts';

/** Where prompts read and draw; the process's own terminal unless a test injects streams. */
export interface PromptContext {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

export type LabAction = 'watch' | 'run' | 'docs' | 'plan' | 'hint' | 'solution';

/** True when the learner pressed Ctrl+C (or Escape) in a prompt: leave quietly. */
export const isPromptCancel = (err: unknown) => (err as Error | undefined)?.name === 'ExitPromptError' || (err as Error | undefined)?.name === 'AbortPromptError';

export async function chooseLab(progress: Progress, style: Style, context?: PromptContext): Promise<Lab> {
  const next = nextLab(progress);
  return select(
    {
      message: 'Which lab?',
      choices: labs.map((lab) => ({ name: labChoiceLine(lab, statusOf(progress, lab), style), value: lab, description: lab.teaches })),
      default: next,
      pageSize: Math.min(labs.length, 12),
    },
    context,
  );
}

export async function chooseAction(lab: Lab, status: LabStatus, context?: PromptContext): Promise<LabAction> {
  const choices: { name: string; value: LabAction }[] = [
    { name: 'Watch: run the tests now, and again every time you save', value: 'watch' },
    { name: 'Run the tests once', value: 'run' },
    { name: 'Read the guide', value: 'docs' },
    { name: 'See what the tests will do', value: 'plan' },
  ];
  if (status.kind === 'failing') choices.push({ name: 'Get a hint for the failing scenario', value: 'hint' });
  if (status.kind === 'passed') choices.push({ name: 'Compare your code with the reference solution', value: 'solution' });
  return select({ message: `Lab ${lab.number} · ${lab.title}: what now?`, choices, default: status.kind === 'not-started' ? 'docs' : 'watch' }, context);
}

/**
 * Asks "are you sure?" at a terminal; elsewhere `--yes` is the answer, and without it the
 * command stops with a usage error that shows how to say yes.
 */
export async function confirmed(
  question: string,
  options: {
    yes: boolean;
    interactive: boolean;
    /** One sentence for when there is no terminal to ask, saying how to confirm with --yes. */
    withoutTerminal: string;
    context?: PromptContext;
  },
): Promise<boolean> {
  if (options.yes) return true;
  if (!options.interactive) throw new UsageError(options.withoutTerminal);
  return confirm({ message: question, default: false }, options.context);
}
