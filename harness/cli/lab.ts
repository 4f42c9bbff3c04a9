// `npm run lab <n>`: runs one lab's hidden scenarios against the learner's program and
// explains the result. Exit status: 0 all passed, 1 some failed, 2 usage error, 130 Ctrl+C.
// Also: `watch` (run again on every save), `replay` (the last failing scenario alone),
// `plan` (what the tests will do), and with no lab at a terminal, a menu.
// The modes are plain words too (`npm run lab 3 watch`): npm keeps `--watch` for itself
// (see lab-command.ts).

import path from 'node:path';
import { labs, repoRoot, type Lab } from '../manifest.ts';
import { formatLabResult } from '../report/format.ts';
import { styleFor } from '../report/style.ts';
import { failed } from '../runner/results.ts';
import { runLab } from '../runner/run-lab.ts';
import { beforeClosingLine, recordAndAdvise } from '../learner/after-run.ts';
import { labChoices } from '../learner/lab-argument.ts';
import { parseLabCommand } from '../learner/lab-command.ts';
import { labChoiceLine, statusOf } from '../learner/lab-status.ts';
import { formatPlan } from '../learner/plan.ts';
import { labProgress, ProgressStore } from '../learner/progress-store.ts';
import { isInteractive, screenWidth, showLong } from '../learner/terminal.ts';
import { resolveTarget } from './target.ts';
import { runCli, UsageError } from './usage-error.ts';

// The menu, watch mode and the markdown renderer pull in @inquirer/prompts and marked-terminal,
// close to half a second of start-up: they are loaded only by the paths that use them, so
// that `npm run lab 3` answers as fast as it can.

const usage = `usage: npm run lab [<lab> [watch | replay | plan]] [-- --target <folder>] [--verbose] [--json]

  <lab>              a lab number or name: ${labChoices()}
                     with no lab: a menu at a terminal, else this list
  watch              run the tests, then again every time you save a file of the lab
                     (keys: h hint, d guide, r run again, q quit)
  replay             run again only the scenario that failed last, and show its conversation
  plan               list what the tests will do, in plain words
  --target <folder>  test another implementation tree: "solutions", or any folder laid out like labs/
  --verbose          explain every failed scenario in full, not only the first
  --json             print the results as JSON instead of text

Options after "--" (npm keeps the rest for itself): npm run lab -- 3 --watch works too.`;

const style = styleFor(process.stdout);
const store = new ProgressStore();
const learnerTree = path.join(repoRoot, 'labs');

async function main(): Promise<number> {
  const command = parseLabCommand(process.argv.slice(2));
  if (command.help) {
    console.log(usage);
    return 0;
  }
  const { lab, mode } = command;
  if (!lab) {
    if (isInteractive() && !command.json) return menu();
    console.log(`The labs:\n${labList()}\n\n${usage}`);
    return 0;
  }
  if (mode === 'plan') {
    console.log(formatPlan(lab, style, screenWidth()));
    return 0;
  }
  const target = resolveTarget(command.target, lab);
  if (mode === 'watch') return watch(lab, target, command.verbose);
  if (mode === 'replay') return replay(lab, target);
  return runOnce(lab, target, command);
}

function labList(): string {
  const progress = store.load();
  return labs.map((lab) => `  ${labChoiceLine(lab, statusOf(progress, lab), style)}   ${lab.teaches}`).join('\n');
}

/** Ctrl+C and friends: abort whatever runs, which kills every process it started. */
function interruption(): AbortSignal {
  const interrupt = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => interrupt.abort());
  return interrupt.signal;
}

async function runOnce(lab: Lab, target: string, options: { verbose: boolean; json: boolean }): Promise<number> {
  const signal = interruption();
  if (!options.json && process.stdout.isTTY) process.stdout.write(`Running lab ${lab.number} (${lab.title}) against ${target} …\r`);
  const result = await runLab({ lab, target, signal });
  if (process.stdout.isTTY && !options.json) process.stdout.write('\x1b[2K');
  if (signal.aborted) {
    console.error('Interrupted: the lab run was stopped and its processes killed.');
    return 130;
  }
  const advice = target === learnerTree ? recordAndAdvise(result, { lab, store, style, askForHint: `Run npm run hint ${lab.number}` }) : [];
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else console.log(beforeClosingLine(formatLabResult(result, style, { verbose: options.verbose }), advice));
  return failed(result) === 0 && !result.runError ? 0 : 1;
}

async function watch(lab: Lab, target: string, verbose: boolean): Promise<number> {
  const [{ keysFrom }, { watchLab }] = await Promise.all([import('../learner/keys.ts'), import('../learner/watch-mode.ts')]);
  const keys = keysFrom(process.stdin);
  try {
    return await watchLab({ lab, target, learnerTree: target === learnerTree, store, style, screen: process.stdout, interactive: isInteractive(), keys, verbose, signal: interruption() });
  } finally {
    keys.close();
  }
}

async function replay(lab: Lab, target: string): Promise<number> {
  const saved = labProgress(store.load(), lab).lastFailing;
  if (!saved) throw new UsageError(`nothing to replay yet: no failing run of lab ${lab.number} is saved; run npm run lab ${lab.number} first`);
  if (!lab.scenarios.some((s) => s.id === saved.scenario)) {
    throw new UsageError(`the saved scenario "${saved.scenario}" is no longer part of lab ${lab.number}; run npm run lab ${lab.number} again`);
  }
  const signal = interruption();
  const result = await runLab({ lab, target, signal, only: [saved.scenario], keepTranscripts: true });
  if (signal.aborted) {
    console.error('Interrupted: the replay was stopped and its processes killed.');
    return 130;
  }
  const { formatReplay } = await import('../learner/replay-view.ts');
  console.log(formatReplay(result, saved, lab, style));
  return failed(result) === 0 && !result.runError ? 0 : 1;
}

/** `npm run lab` at a terminal: pick a lab (the next unfinished one is preselected), then what to do. */
async function menu(): Promise<number> {
  const { chooseAction, chooseLab, isPromptCancel } = await import('../learner/prompts.ts');
  try {
    const progress = store.load();
    const lab = await chooseLab(progress, style);
    const action = await chooseAction(lab, statusOf(progress, lab));
    switch (action) {
      case 'watch':
        return watch(lab, resolveTarget(undefined, lab), false);
      case 'run':
        return runOnce(lab, resolveTarget(undefined, lab), { verbose: false, json: false });
      case 'plan':
        console.log(formatPlan(lab, style, screenWidth()));
        return 0;
      case 'hint': {
        const [{ nextHint }, { formatHint }] = await Promise.all([import('../learner/hint-giver.ts'), import('../learner/hint-view.ts')]);
        console.log(formatHint(nextHint(store, lab), lab, { style, width: screenWidth(), again: `npm run hint ${lab.number}` }));
        return 0;
      }
      case 'solution': {
        const { formatSolutionDiff } = await import('../learner/solution-diff.ts');
        await showLong(formatSolutionDiff(lab, learnerTree, path.join(repoRoot, 'solutions'), style));
        return 0;
      }
      case 'docs': {
        const [{ findGuide, guideExists }, { renderGuide }] = await Promise.all([import('../learner/guides.ts'), import('../learner/docs-view.ts')]);
        const guide = findGuide(String(lab.number));
        if (!guide || !guideExists(guide)) {
          console.log(`The guide for lab ${lab.number} is not written yet.`);
          return 0;
        }
        await showLong(renderGuide(guide, { color: style.color.level > 0, width: screenWidth() }));
        return 0;
      }
    }
  } catch (err) {
    if (isPromptCancel(err)) return 0; // Ctrl+C in the menu: the learner changed their mind.
    throw err;
  }
}

await runCli(main);
