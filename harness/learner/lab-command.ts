// What `npm run lab …` was asked to do, from its arguments: which lab, which mode (a run,
// watch, replay or plan), and the options. The modes are accepted as plain words too,
// because npm keeps `--watch` for itself in `npm run lab 3 --watch`; npm does pass `--watch`
// and `--replay` on, as npm_config_watch and npm_config_replay, which are read as well when
// npm ran this very script (not `npm test --watch`, whose children inherit them). `--plan`
// is lost for good: npm reads it as its own -p -l -a -n.

import { parseArgs } from 'node:util';
import type { Lab } from '../manifest.ts';
import { UsageError } from '../cli/usage-error.ts';
import { labArgument } from './lab-argument.ts';

export const MODES = ['watch', 'replay', 'plan'] as const;
export type Mode = (typeof MODES)[number];

export interface LabCommand {
  /** No lab: the menu at a terminal, else the list. */
  lab?: Lab;
  mode?: Mode;
  target?: string;
  verbose: boolean;
  json: boolean;
  help: boolean;
}

const isMode = (word: string): word is Mode => (MODES as readonly string[]).includes(word);

export function parseLabCommand(args: string[], env: NodeJS.ProcessEnv = process.env): LabCommand {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      watch: { type: 'boolean', default: false },
      replay: { type: 'boolean', default: false },
      plan: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const base = { verbose: values.verbose, json: values.json, help: values.help, ...(values.target !== undefined ? { target: values.target } : {}) };
  if (values.help) return base;

  const fromNpm = env.npm_lifecycle_event === 'lab' ? MODES.filter((mode) => env[`npm_config_${mode}`] === 'true') : [];
  const modes = [...new Set([...positionals.filter(isMode), ...MODES.filter((mode) => values[mode]), ...fromNpm])];
  if (modes.length > 1) throw new UsageError(`choose one of watch, replay and plan, got: ${modes.join(', ')}`);
  const mode = modes[0];
  if (mode && values.json) throw new UsageError(`--json gives the results of one run; it does not go with ${mode}`);

  const rest = positionals.filter((word) => !isMode(word));
  if (rest.length > 1) throw new UsageError(`one lab at a time, got: ${rest.join(' ')}`);
  if (rest.length === 0) {
    if (mode) throw new UsageError(`${mode} needs a lab, for example: npm run lab 1 ${mode}`);
    return base;
  }
  return { ...base, lab: labArgument(rest[0]!), ...(mode ? { mode } : {}) };
}
