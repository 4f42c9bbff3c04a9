// Which implementation tree to test: labs/ (the learner's), solutions/, or any folder with
// the same layout (a fixture, a student's submission).

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { entryIn, repoRoot, type Lab } from '../manifest.ts';
import { UsageError } from './usage-error.ts';

/**
 * Resolves `--target`. The names "labs" and "solutions" mean the kit's own folders;
 * anything else is a path relative to where the user ran npm (INIT_CWD).
 */
export function resolveTarget(value: string | undefined, lab: Lab): string {
  const name = value ?? 'labs';
  const base = name === 'labs' || name === 'solutions' ? repoRoot : (process.env.INIT_CWD ?? process.cwd());
  const target = path.resolve(base, name);
  if (!existsSync(target) || !statSync(target).isDirectory()) throw new UsageError(`target folder not found: ${target}`);
  const entry = entryIn(target, lab);
  if (!existsSync(entry)) {
    throw new UsageError(`${target} is not a lab tree: it has no ${path.join(lab.folder, lab.entry)}`);
  }
  return target;
}
