// `npm run progress`: how far the learner is, from .socketlab/progress.json.

import { parseArgs } from 'node:util';
import { styleFor } from '../report/style.ts';
import { ProgressStore } from '../learner/progress-store.ts';
import { formatProgress } from '../learner/progress-view.ts';
import { screenWidth } from '../learner/terminal.ts';
import { runCli, UsageError } from './usage-error.ts';

const usage = `usage: npm run progress [-- --json]

  Shows every lab's status, best result, when it first passed, hints used and runs.
  --json  the progress file's content, for scripts`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length) throw new UsageError(`npm run progress takes no arguments, got: ${positionals.join(' ')}`);
  const progress = new ProgressStore().load();
  console.log(values.json ? JSON.stringify(progress, null, 2) : formatProgress(progress, styleFor(process.stdout), screenWidth()));
  return 0;
}

await runCli(main);
