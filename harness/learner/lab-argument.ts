// The lab a command names on its command line, for every learner CLI: a number, slug or
// folder, or a usage error that lists the labs there are.

import { findLab, labs, type Lab } from '../manifest.ts';
import { UsageError } from '../cli/usage-error.ts';

/** "1 (echo), 2 (framing), …": what may be typed, for usage texts and errors. */
export const labChoices = () => labs.map((l) => `${l.number} (${l.slug})`).join(', ');

export function labArgument(query: string): Lab {
  const lab = findLab(query);
  if (!lab) throw new UsageError(`there is no lab "${query}"; the labs are ${labChoices()}`);
  return lab;
}
