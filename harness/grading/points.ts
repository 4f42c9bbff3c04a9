// How many points each scenario is worth. In order of precedence: the instructor's override
// file (`--points <file>`), the manifest's `points` for the scenario, and 1. A lab is worth
// the sum of its scenarios. The override file is small JSON, keyed by lab (number, slug or
// folder), each with a "default" for the lab's scenarios and/or points per scenario id:
//
//   { "echo": { "default": 2, "large-payload": 5 }, "3": { "slow-reader": 4 } }
//
// Every name in it is checked against the labs, so a typo is an error, not a silent 1 point.

import { readFileSync } from 'node:fs';
import { UsageError } from '../cli/usage-error.ts';
import { findLab, type Lab } from '../manifest.ts';

export interface Points {
  /** What scenario `id` of `lab` is worth. */
  of(lab: Lab, id: string): number;
  /** What a whole lab is worth: the sum over its scenarios. */
  ofLab(lab: Lab): number;
}

type Overrides = Map<number, Map<string, number>>;

/** `labs` must include any extra scenarios, so overrides may name them too. */
export function loadPoints(file: string | undefined, labs: readonly Lab[]): Points {
  const overrides = file ? parseOverrides(file, labs) : new Map();
  const of = (lab: Lab, id: string) => {
    const mine = overrides.get(lab.number);
    return mine?.get(id) ?? mine?.get('default') ?? lab.scenarios.find((s) => s.id === id)?.points ?? 1;
  };
  return { of, ofLab: (lab) => lab.scenarios.reduce((sum, s) => sum + of(lab, s.id), 0) };
}

function parseOverrides(file: string, labs: readonly Lab[]): Overrides {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new UsageError(`cannot read the points file ${file}: ${why}`);
  }
  const bad = (why: string) => new UsageError(`points file ${file}: ${why}`);
  if (!isObject(doc)) throw bad('expected an object keyed by lab, like { "echo": { "default": 2 } }');
  const overrides: Overrides = new Map();
  for (const [key, entry] of Object.entries(doc)) {
    const manifestLab = findLab(key);
    // The labs passed in may carry extra scenarios; the manifest only tells which lab is meant.
    const lab = manifestLab && labs.find((l) => l.number === manifestLab.number);
    if (!lab) throw bad(`there is no lab "${key}"`);
    if (!isObject(entry)) throw bad(`"${key}" should be an object like { "default": 2, "<scenario id>": 3 }`);
    const mine = new Map<string, number>();
    for (const [id, value] of Object.entries(entry)) {
      if (id !== 'default' && !lab.scenarios.some((s) => s.id === id)) throw bad(`lab ${lab.number} has no scenario "${id}"`);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad(`"${key}"."${id}" should be a number of points, 0 or more`);
      mine.set(id, value);
    }
    overrides.set(lab.number, mine);
  }
  return overrides;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
