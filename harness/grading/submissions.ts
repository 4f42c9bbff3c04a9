// The entries of a class folder: each one is one student's submission, a folder (a clone of
// the kit, or just its labs/ tree) or a .zip of either. The student's name is the entry's
// name (without .zip); hidden entries (.DS_Store, .git) are not students.

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../cli/usage-error.ts';

export interface Submission {
  /** The name in the gradebook, and the name of the student's results folder. */
  student: string;
  /** Absolute path of the entry. */
  source: string;
  kind: 'folder' | 'zip' | 'other';
}

/** `exclude`: a path never taken as a submission (the results folder, when it lies inside). */
export function findSubmissions(dir: string, exclude?: string): Submission[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`submissions folder not found: ${dir}`);
  const found: Submission[] = [];
  for (const name of readdirSync(dir).sort()) {
    const source = path.join(dir, name);
    if (name.startsWith('.') || (exclude && path.resolve(source) === path.resolve(exclude))) continue;
    let kind: Submission['kind'] = 'other';
    try {
      const stat = statSync(source);
      if (stat.isDirectory()) kind = 'folder';
      else if (stat.isFile() && name.toLowerCase().endsWith('.zip')) kind = 'zip';
    } catch {
      // A dangling link: it stays 'other' and is reported as such.
    }
    found.push({ student: kind === 'zip' ? name.slice(0, -4) : name, source, kind });
  }
  // "alice/" and "alice.zip" side by side: both keep their full entry names.
  const counts = new Map<string, number>();
  for (const s of found) counts.set(s.student, (counts.get(s.student) ?? 0) + 1);
  for (const s of found) if (counts.get(s.student)! > 1) s.student = path.basename(s.source);
  if (!found.length) throw new UsageError(`no submissions in ${dir}: expected one folder or .zip per student`);
  return found;
}
