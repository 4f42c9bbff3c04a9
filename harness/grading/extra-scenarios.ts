// `--extra <dir>`: an instructor's private scenarios, kept outside the students' copy and
// run alongside each lab's own. The folder is laid out by lab:
//
//   <dir>/01-echo/scenarios.ts    export const scenarios: ScenarioSpec[] = [...]  (import types only)
//   <dir>/01-echo/*.lab.ts        defineLab({ ...findLab('echo')!, scenarios }, { id: async (ctx) => … })
//
// The test files import the kit as 'socketlab/harness/…' (an alias the runner sets, in
// harness/runner/start-vitest.mjs), so they work wherever the folder lives. Scenario specs are loaded here too, because
// the grader must know every scenario (title, points, order) before the run reports on it.

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { UsageError } from '../cli/usage-error.ts';
import { findLab, type Lab, type ScenarioSpec } from '../manifest.ts';

export interface Extras {
  /** The lab with its private scenarios appended (after the taught ones). */
  extend(lab: Lab): Lab;
  /** Absolute paths of the private test files for `lab`. */
  testsFor(lab: Lab): string[];
}

export const noExtras: Extras = { extend: (lab) => lab, testsFor: () => [] };

export async function loadExtras(dir: string): Promise<Extras> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--extra folder not found: ${dir}`);
  const byLab = new Map<number, { scenarios: ScenarioSpec[]; tests: string[] }>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const lab = findLab(entry.name);
    if (!lab) throw new UsageError(`--extra: "${entry.name}" is not a lab folder (expected names like 01-echo)`);
    const folder = path.join(dir, entry.name);
    const tests = readdirSync(folder)
      .filter((name) => name.endsWith('.lab.ts'))
      .sort()
      .map((name) => path.join(folder, name));
    if (!tests.length) throw new UsageError(`--extra: ${folder} has no *.lab.ts test file`);
    byLab.set(lab.number, { scenarios: await loadSpecs(folder, lab), tests });
  }
  if (!byLab.size) throw new UsageError(`--extra: ${dir} holds no lab folder (like 01-echo/)`);
  return {
    extend: (lab) => {
      const extra = byLab.get(lab.number);
      return extra ? { ...lab, scenarios: [...lab.scenarios, ...extra.scenarios] } : lab;
    },
    testsFor: (lab) => byLab.get(lab.number)?.tests ?? [],
  };
}

async function loadSpecs(folder: string, lab: Lab): Promise<ScenarioSpec[]> {
  const file = path.join(folder, 'scenarios.ts');
  if (!existsSync(file)) throw new UsageError(`--extra: ${file} is missing (it lists the private scenarios)`);
  let loaded: { scenarios?: unknown };
  try {
    // Through tsx's own API: `npm run check` itself runs compiled, with no TypeScript loader.
    loaded = (await tsImport(pathToFileURL(file).href, import.meta.url)) as { scenarios?: unknown };
  } catch (err) {
    throw new UsageError(`--extra: cannot load ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const specs = loaded.scenarios;
  const valid = (s: unknown): s is ScenarioSpec => {
    const spec = s as Partial<ScenarioSpec>;
    return typeof spec?.id === 'string' && typeof spec.title === 'string' && typeof spec.hint === 'string';
  };
  if (!Array.isArray(specs) || !specs.length || !specs.every(valid)) {
    throw new UsageError(`--extra: ${file} must export "scenarios", a non-empty list of { id, title, hint, points?, timeoutMs? }`);
  }
  for (const spec of specs) {
    // Results are matched to scenarios by id: a clash would hide one of the two.
    if (lab.scenarios.some((s) => s.id === spec.id)) throw new UsageError(`--extra: scenario id "${spec.id}" already exists in lab ${lab.number}`);
  }
  if (new Set(specs.map((s) => s.id)).size !== specs.length) throw new UsageError(`--extra: ${file} repeats a scenario id`);
  return specs;
}
