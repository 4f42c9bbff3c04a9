// `npm run lab N plan`: what the harness will do to the learner's program, scenario by
// scenario, in plain words and without the assertions. The words come from the guide's
// "What the tests do" table when it has a row for the scenario, else the scenario's title.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, type Lab } from '../manifest.ts';
import type { Style } from '../report/style.ts';
import { wordWrap } from './text-wrap.ts';

/** Scenario id → the guide's description, from table rows like "| `echo-text` | connects, … |". */
export function guideDescriptions(lab: Lab): Map<string, string> {
  let guide = '';
  try {
    guide = readFileSync(path.join(repoRoot, lab.docs), 'utf8');
  } catch {
    // Guide not written yet: titles will do.
  }
  const rows = new Map<string, string>();
  for (const match of guide.matchAll(/^\|\s*`([\w-]+)`\s*\|\s*(.+?)\s*\|\s*$/gm)) rows.set(match[1]!, match[2]!.replace(/`/g, ''));
  return rows;
}

export function formatPlan(lab: Lab, style: Style, width = 80): string {
  const { color } = style;
  const described = guideDescriptions(lab);
  const out = [
    color.bold(`Lab ${lab.number} · ${lab.title}: what the tests will do`),
    '',
    `Each scenario starts a fresh copy of your program (${path.join('labs', lab.folder, lab.entry)}, given port 0)`,
    'and talks to it over real TCP on 127.0.0.1. Several scenarios may run at the same time.',
    '',
  ];
  if (!lab.scenarios.length) out.push('This lab has no scenarios yet.');
  for (const [i, scenario] of lab.scenarios.entries()) {
    const limit = scenario.timeoutMs ? color.dim(` (allowed ${scenario.timeoutMs / 1000} s)`) : '';
    out.push(`${String(i + 1).padStart(3)}. ${color.bold(scenario.id)}${limit}`);
    out.push(...wordWrap(described.get(scenario.id) ?? scenario.title, Math.max(30, width - 6)).map((line) => `     ${line}`));
  }
  out.push('', `Run them: npm run lab ${lab.number}    Re-run on every save: npm run lab ${lab.number} watch`);
  return out.join('\n');
}
