// The temporary copy a submission is graded in. Only the student's labs/ tree is copied;
// beside it go this kit's own package.json and tsconfig.json (so tsx treats the code exactly
// as in a clone: ESM, same compiler options) and a link to this kit's node_modules (the
// dependencies a lab may import). The harness, the manifest and the tests are never copied:
// the runner runs them from the kit itself, pointed at this copy.

import { copyFileSync, lstatSync, mkdirSync, rmdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../manifest.ts';
import { TreeTooLarge, walkFiles } from './walk.ts';

const MAX_FILE_BYTES = 20 * 1024 * 1024;
const MAX_TREE_BYTES = 100 * 1024 * 1024;

export interface Isolated {
  /** The labs/ copy: the target the runner tests. */
  target: string;
  /** Files not copied (symbolic links), relative to the labs tree. */
  ignored: string[];
}

/** Copies `labsTree` into `root` (an empty temporary folder) and makes it runnable. */
export function isolateLabs(labsTree: string, root: string): Isolated {
  const target = path.join(root, 'labs');
  const walked = walkFiles(labsTree);
  let total = 0;
  for (const file of walked.files) {
    const from = path.join(labsTree, ...file.split('/'));
    const size = lstatSync(from).size;
    if (size > MAX_FILE_BYTES) throw new TreeTooLarge(`labs/${file} is ${(size / 1024 / 1024).toFixed(1)} MiB, too large for a lab file`);
    total += size;
    if (total > MAX_TREE_BYTES) throw new TreeTooLarge(`the labs/ tree holds more than ${MAX_TREE_BYTES / 1024 / 1024} MiB`);
    const to = path.join(target, ...file.split('/'));
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  mkdirSync(target, { recursive: true });
  for (const file of ['package.json', 'tsconfig.json']) copyFileSync(path.join(repoRoot, file), path.join(root, file));
  // A junction needs no privilege on Windows; elsewhere the type is ignored.
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'junction');
  return { target, ignored: walked.symlinks.map((link) => `labs/${link} (a symbolic link)`) };
}

/** Removes a grading folder; the node_modules link first, so nothing can reach through it. */
export function removeGradingFolder(root: string): void {
  const link = path.join(root, 'node_modules');
  try {
    unlinkSync(link);
  } catch {
    try {
      rmdirSync(link); // a Windows junction is removed like an empty folder, never its target
    } catch {
      // Not created (the copy failed earlier) or already gone.
    }
  }
  rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
