// `npm run lab <n>`: runs one lab's hidden scenarios against the learner's program and
// explains the result. Exit status: 0 all passed, 1 some failed, 2 usage error, 130 Ctrl+C.

import { parseArgs } from 'node:util';
import { findLab, labs } from '../manifest.ts';
import { formatLabResult } from '../report/format.ts';
import { styleFor } from '../report/style.ts';
import { failed } from '../runner/results.ts';
import { runLab } from '../runner/run-lab.ts';
import { resolveTarget } from './target.ts';
import { runCli, UsageError } from './usage-error.ts';

const usage = `usage: npm run lab -- <lab> [--target <folder>] [--verbose] [--json]

  <lab>              a lab number or name: ${labs.map((l) => `${l.number} (${l.slug})`).join(', ')}
  --target <folder>  test another implementation tree: "solutions", or any folder laid out like labs/
  --verbose          explain every failed scenario in full, not only the first
  --json             print the results as JSON instead of text`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length === 0) {
    console.log(`The labs:\n${labs.map((l) => `  ${String(l.number).padStart(2)}  ${l.slug.padEnd(10)} ${l.title}: ${l.teaches}`).join('\n')}\n\n${usage}`);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`one lab at a time, got: ${positionals.join(' ')}`);
  const lab = findLab(positionals[0]!);
  if (!lab) throw new UsageError(`there is no lab "${positionals[0]}"; the labs are ${labs.map((l) => `${l.number} (${l.slug})`).join(', ')}`);
  const target = resolveTarget(values.target, lab);

  // Ctrl+C: stop the run, which kills every process it started, then leave.
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  process.once('SIGTERM', () => interrupt.abort());

  if (!values.json && process.stdout.isTTY) process.stdout.write(`Running lab ${lab.number} (${lab.title}) against ${target} …\r`);
  const result = await runLab({ lab, target, signal: interrupt.signal });
  if (process.stdout.isTTY && !values.json) process.stdout.write('\x1b[2K');
  if (interrupt.signal.aborted) {
    console.error('Interrupted: the lab run was stopped and its processes killed.');
    return 130;
  }
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(formatLabResult(result, styleFor(process.stdout), { verbose: values.verbose }));
  }
  return failed(result) === 0 && !result.runError ? 0 : 1;
}

await runCli(main);
