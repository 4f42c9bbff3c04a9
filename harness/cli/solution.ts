// `npm run solution <lab>`: the learner's lab folder against the reference solution, as a
// diff. Before the lab passes it asks first: seeing the answer too early spoils the lab.

import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../manifest.ts';
import { labArgument, labChoices } from '../learner/lab-argument.ts';
import { styleFor } from '../report/style.ts';
import { statusOf } from '../learner/lab-status.ts';
import { ProgressStore } from '../learner/progress-store.ts';
import { confirmed, isPromptCancel } from '../learner/prompts.ts';
import { formatSolutionDiff } from '../learner/solution-diff.ts';
import { isInteractive, showLong } from '../learner/terminal.ts';
import { runCli, UsageError } from './usage-error.ts';

const usage = `usage: npm run solution <lab> [-- --yes] [--no-pager]

  <lab>       a lab number or name: ${labChoices()}
  --yes       show it even though the lab has not passed yet, without asking
  --no-pager  print everything at once, even at a terminal

Shows your labs/<lab> folder against solutions/<lab>: "-" lines are yours, "+" the solution's.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      yes: { type: 'boolean', short: 'y', default: false },
      'no-pager': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one lab at a time, got: ${positionals.join(' ')}` : 'which lab? for example: npm run solution 1');
  const lab = labArgument(positionals[0]!);

  if (statusOf(new ProgressStore().load(), lab).kind !== 'passed') {
    const question = `Lab ${lab.number} has not passed yet, and the solution gives the answers away. Show it anyway?`;
    try {
      if (!(await confirmed(question, { yes: values.yes, interactive: isInteractive(), withoutTerminal: `lab ${lab.number} has not passed yet, and there is no terminal to ask whether to spoil it: confirm with npm run solution -- ${positionals[0]} --yes` }))) {
        console.log(`Good call. A smaller step: npm run hint ${lab.number}.`);
        return 0;
      }
    } catch (err) {
      if (isPromptCancel(err)) return 0;
      throw err;
    }
  }
  await showLong(formatSolutionDiff(lab, path.join(repoRoot, 'labs'), path.join(repoRoot, 'solutions'), styleFor(process.stdout)), !values['no-pager']);
  return 0;
}

await runCli(main);
