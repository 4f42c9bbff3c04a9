// Lists the files of a tree that came from someone else, bounded: dependency and version
// control folders are not part of a submission, symbolic links are never followed (a link
// could point anywhere on the grader's disk), and an absurd number of files is refused.

import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Folders that are never part of what a student submits (installed, generated or VCS data). */
export const NOT_SUBMITTED = new Set(['node_modules', '.git', '__MACOSX']);
export const MAX_FILES = 20_000;

export class TreeTooLarge extends Error {
  override name = 'TreeTooLarge';
}

export interface Walked {
  /** Relative paths with forward slashes, sorted. */
  files: string[];
  /** Relative paths of symbolic links met (not followed). */
  symlinks: string[];
}

export function walkFiles(root: string): Walked {
  const walked: Walked = { files: [], symlinks: [] };
  const visit = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) walked.symlinks.push(relative);
      else if (entry.isDirectory()) {
        if (!NOT_SUBMITTED.has(entry.name)) visit(path.join(dir, entry.name), relative);
      } else if (entry.isFile()) {
        walked.files.push(relative);
        if (walked.files.length > MAX_FILES) throw new TreeTooLarge(`more than ${MAX_FILES} files under ${root}`);
      }
    }
  };
  visit(root, '');
  walked.files.sort();
  walked.symlinks.sort();
  return walked;
}
