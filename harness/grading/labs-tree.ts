// Finds the labs/ tree inside a submission, whatever shape it came in: a clone of the kit
// (labs/ beside harness/), just the labs/ tree itself (01-echo/, 02-framing/… at the top),
// or either of those wrapped in one folder (a GitHub "Download ZIP" holds socketlab-main/).

import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { labs } from '../manifest.ts';
import { NOT_SUBMITTED } from './walk.ts';

export interface LocatedLabs {
  /** The folder holding 01-echo/, 02-framing/… */
  labsTree: string;
  /** The clone's root, when the submission is a whole kit (its kit files can be compared). */
  kitRoot?: string;
}

/** How many single wrapping folders are looked through. */
const WRAPPERS = 2;

export function locateLabs(root: string, wrappers = WRAPPERS): LocatedLabs | undefined {
  if (isRealDirectory(path.join(root, 'labs'))) return { labsTree: path.join(root, 'labs'), kitRoot: root };
  const folders = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.') && !NOT_SUBMITTED.has(e.name));
  if (folders.some((e) => labs.some((lab) => lab.folder === e.name))) return { labsTree: root };
  if (folders.length === 1 && wrappers > 0) return locateLabs(path.join(root, folders[0]!.name), wrappers - 1);
  return undefined;
}

/** A directory, and not a symbolic link to one (which could point anywhere). */
function isRealDirectory(file: string): boolean {
  try {
    return lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}
