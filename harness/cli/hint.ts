// `npm run hint <lab> [scenario]`: the next step of the hint ladder for the scenario that
// failed last (or the one named); each call climbs one step, recorded in the progress file.

import { parseArgs } from 'node:util';
import { labs } from '../manifest.ts';
import { styleFor } from '../report/style.ts';
import { nextHint } from '../learner/hint-giver.ts';
import { labArgument, labChoices } from '../learner/lab-argument.ts';
import { formatHint } from '../learner/hint-view.ts';
import { ProgressStore } from '../learner/progress-store.ts';
import { screenWidth } from '../learner/terminal.ts';
import { runCli, UsageError } from './usage-error.ts';

const usage = `usage: npm run hint <lab> [<scenario>]

  <lab>       a lab number or name: ${labChoices()}
  <scenario>  a scenario id (see npm run lab <lab> plan); by default, the one that failed last

Each call shows the next step for that scenario: a nudge, then the concept, then almost the answer.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`which lab? for example: npm run hint 1 (the labs are ${labs.map((l) => l.number).join(', ')})`);
  if (positionals.length > 2) throw new UsageError(`a lab and at most one scenario, got: ${positionals.join(' ')}`);
  const lab = labArgument(positionals[0]!);
  const answer = nextHint(new ProgressStore(), lab, positionals[1] ? { named: positionals[1] } : {});
  console.log(formatHint(answer, lab, { style: styleFor(process.stdout), width: screenWidth(), again: `npm run hint ${lab.number}${positionals[1] ? ` ${positionals[1]}` : ''}` }));
  return 0;
}

await runCli(main);
