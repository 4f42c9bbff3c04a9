// The GitHub Classroom autograding workflow (.github/workflows/classroom.yml), generated
// from the manifest so it never lists the labs by hand: one command-grader step per lab,
// worth the lab's points when generated (a lab with no scenarios yet is worth 0), passing
// when `npm run check -- --labs N --strict` exits 0. The self-test compares the committed file
// with this output, weights aside (they change with every scenario added, and instructors may
// set their own), so it fails only when the list of labs changes. Regenerate it with:
//
//   node --import tsx harness/grading/classroom-workflow.ts

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { labs, repoRoot, type Lab } from '../manifest.ts';
import { loadPoints } from './points.ts';

export const WORKFLOW_FILE = path.join(repoRoot, '.github', 'workflows', 'classroom.yml');
/** Minutes per lab step: a lab run is capped at 60 s, so this only stops a runner gone wrong. */
const STEP_TIMEOUT_MINUTES = 5;

export function classroomWorkflow(all: readonly Lab[] = labs): string {
  const points = loadPoints(undefined, all);
  const id = (lab: Lab) => `lab-${lab.number}-${lab.slug}`;
  const q = (text: string) => JSON.stringify(text);
  const out = [
    '# Generated from harness/manifest.ts by harness/grading/classroom-workflow.ts: do not edit by hand.',
    '# One step per lab; a step earns its points when every scenario of the lab passes.',
    'name: Autograding Tests',
    "'on':",
    '  - push',
    '  - repository_dispatch',
    'permissions:',
    '  checks: write',
    '  actions: read',
    '  contents: read',
    'jobs:',
    '  run-autograding-tests:',
    '    runs-on: ubuntu-latest',
    "    if: github.actor != 'github-classroom[bot]'",
    '    steps:',
    '      - name: Checkout code',
    '        uses: actions/checkout@v4',
    '      - name: Set up Node.js',
    '        uses: actions/setup-node@v4',
    '        with:',
    "          node-version: '20'",
    '      - name: Install the kit',
    '        run: npm ci --no-audit --no-fund',
  ];
  for (const lab of all) {
    out.push(
      `      - name: ${q(`Lab ${lab.number}: ${lab.title}`)}`,
      `        id: ${id(lab)}`,
      '        uses: classroom-resources/autograding-command-grader@v1',
      '        with:',
      `          test-name: ${q(`Lab ${lab.number}: ${lab.title}`)}`,
      `          command: npm run check -- --labs ${lab.number} --strict`,
      `          timeout: ${STEP_TIMEOUT_MINUTES}`,
      `          max-score: ${points.ofLab(lab)}`,
    );
  }
  out.push('      - name: Autograding Reporter', '        uses: classroom-resources/autograding-grading-reporter@v1', '        env:');
  for (const lab of all) out.push(`          ${id(lab).toUpperCase()}_RESULTS: "\${{ steps.${id(lab)}.outputs.result }}"`);
  out.push('        with:', `          runners: ${all.map(id).join(',')}`, '');
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  mkdirSync(path.dirname(WORKFLOW_FILE), { recursive: true });
  writeFileSync(WORKFLOW_FILE, classroomWorkflow());
  console.log(`Wrote ${path.relative(process.cwd(), WORKFLOW_FILE)}`);
}
