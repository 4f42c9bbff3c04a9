// `npm run reset <lab>` (or `all`): puts the lab's stub back after a confirmation, with the
// learner's files copied to .socketlab/backups/ first. The progress file keeps the lab's
// history (best result, first pass, hints) but forgets its last run.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { labs, repoRoot, type Lab } from '../manifest.ts';
import { labArgument, labChoices } from '../learner/lab-argument.ts';
import { forgetLastRun, ProgressStore } from '../learner/progress-store.ts';
import { confirmed, isPromptCancel } from '../learner/prompts.ts';
import { ResetError, resetLab } from '../learner/reset-lab.ts';
import { stateDir } from '../learner/state-dir.ts';
import { isInteractive } from '../learner/terminal.ts';
import { runCli, UsageError } from './usage-error.ts';

const usage = `usage: npm run reset <lab> | all   [-- --yes]

  <lab>  a lab number or name: ${labChoices()}
  all    every lab (also: --all)
  --yes  do not ask for confirmation (needed when not at a terminal)

Your files are copied to .socketlab/backups/<lab>/<date>/ before the stub is put back.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      all: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const all = values.all || positionals.includes('all');
  const named = positionals.filter((word) => word !== 'all');
  if (all && named.length) throw new UsageError(`either one lab or all, got: ${positionals.join(' ')}`);
  if (!all && named.length !== 1) throw new UsageError(named.length ? `one lab at a time (or all), got: ${named.join(' ')}` : 'which lab? for example: npm run reset 1, or npm run reset all');
  const chosen: Lab[] = all ? labs : [labArgument(named[0]!)];

  const what = all ? 'every lab' : `lab ${chosen[0]!.number} (${chosen[0]!.title})`;
  const question = `Reset ${what} to the stub? Your files are copied to ${path.join(stateDir(), 'backups')} first.`;
  try {
    if (!(await confirmed(question, { yes: values.yes, interactive: isInteractive(), withoutTerminal: `resetting replaces your files, and there is no terminal to ask: confirm with npm run reset -- ${all ? '--all' : named[0]} --yes` }))) {
      console.log('Nothing was changed.');
      return 0;
    }
  } catch (err) {
    if (isPromptCancel(err)) return 0;
    throw err;
  }

  const store = new ProgressStore();
  let failures = 0;
  for (const lab of chosen) {
    try {
      const outcome = resetLab(lab, { root: repoRoot, backupsDir: path.join(stateDir(), 'backups') });
      if (!outcome.backup && !outcome.removed.length && !outcome.restored.length) {
        console.log(`Lab ${lab.number}: already the stub, nothing to do.`);
        continue;
      }
      store.update((progress) => forgetLastRun(progress, lab));
      const parts = [`Lab ${lab.number}: the stub is back (${outcome.restored.join(', ')}, from git ${outcome.source}).`];
      if (outcome.backup) parts.push(`Your files are in ${outcome.backup}.`);
      if (outcome.removed.length) parts.push(`Files you had added were moved there too: ${outcome.removed.join(', ')}.`);
      console.log(parts.join(' '));
    } catch (err) {
      if (!(err instanceof ResetError)) throw err;
      failures++;
      console.error(`Lab ${lab.number} was not reset: ${err.message}.`);
    }
  }
  return failures ? 1 : 0;
}

await runCli(main);
