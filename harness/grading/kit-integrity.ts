// "Modified kit files": which of the files that decide a grade a student changed in their
// clone. Grading never uses them (it runs this kit's pristine copy), so this is an honest
// flag for the gradebook, not a penalty: a TA can look at what was changed and why.
// Files are compared by a hash of their content with line endings normalised, so a clone
// checked out on Windows (CRLF) does not count as modified.

import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../manifest.ts';
import { walkFiles } from './walk.ts';

/** The kit files that run, test or configure a grade (relative to a clone's root). */
export const KIT_PATHS = ['harness', '.github', 'package.json', 'package-lock.json', 'tsconfig.json'];
/** A kit file is small; anything bigger than this in those places is a change without reading it. */
const MAX_HASHED_BYTES = 10 * 1024 * 1024;

export interface KitChange {
  file: string;
  change: 'changed' | 'added' | 'deleted';
}

export type KitPrints = Map<string, string>;

/** Content hashes of the kit files under `root`, keyed by relative path with forward slashes. */
export function kitPrints(root: string): KitPrints {
  const prints: KitPrints = new Map();
  for (const entry of KIT_PATHS) {
    const full = path.join(root, entry);
    if (!existsSync(full)) continue;
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) prints.set(entry, 'a symbolic link');
    else if (stat.isFile()) prints.set(entry, hashFile(full));
    else if (stat.isDirectory()) {
      const walked = walkFiles(full);
      for (const file of walked.files) prints.set(`${entry}/${file}`, hashFile(path.join(full, file)));
      for (const link of walked.symlinks) prints.set(`${entry}/${link}`, 'a symbolic link');
    }
  }
  return prints;
}

let pristine: KitPrints | undefined;
/** This kit's own prints, computed once per process. */
export function pristinePrints(): KitPrints {
  return (pristine ??= kitPrints(repoRoot));
}

export function compareKit(studentRoot: string, kit: KitPrints = pristinePrints()): KitChange[] {
  // labs/ alone in a folder is the labs tree submitted on its own, not a clone that deleted the kit.
  if (!KIT_PATHS.some((entry) => existsSync(path.join(studentRoot, entry)))) return [];
  const theirs = kitPrints(studentRoot);
  const changes: KitChange[] = [];
  for (const [file, hash] of kit) {
    const their = theirs.get(file);
    if (their === undefined) changes.push({ file, change: 'deleted' });
    else if (their !== hash) changes.push({ file, change: 'changed' });
  }
  for (const file of theirs.keys()) if (!kit.has(file)) changes.push({ file, change: 'added' });
  return changes.sort((a, b) => a.file.localeCompare(b.file));
}

function hashFile(file: string): string {
  if (lstatSync(file).size > MAX_HASHED_BYTES) return 'too large to be a kit file';
  const text = readFileSync(file).toString('latin1').replace(/\r\n/g, '\n');
  return createHash('sha256').update(text, 'latin1').digest('hex');
}
