// Where the kit keeps what it remembers about the learner (progress, backups): a folder
// beside their code, never inside it, ignored by git. Tests point it elsewhere with
// SOCKETLAB_STATE_DIR so they never touch a real learner's progress.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../manifest.ts';

export function stateDir(): string {
  return process.env.SOCKETLAB_STATE_DIR ? path.resolve(process.env.SOCKETLAB_STATE_DIR) : path.join(repoRoot, '.socketlab');
}

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
