// JSON files that other processes read while they may be rewritten: the learner's progress,
// a lab run's results, a compiled command's record.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes JSON so that a crash or Ctrl+C mid-write never leaves half a file: write a
 * temporary file beside it, then rename it over the old one (atomic on one file system).
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, file);
}

/** The parsed file, `undefined` when it does not exist; throws SyntaxError when it is not JSON. */
export function readJsonIfPresent(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text);
}
