// The files of a lab folder, relative to it: what reset backs up and the solution diff
// compares. Hidden files and node_modules are not the learner's lab code.

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export function listLabFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(path.join(dir, prefix))) return [];
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') return [];
      const relative = path.join(prefix, entry.name);
      return entry.isDirectory() ? listLabFiles(dir, relative) : entry.isFile() ? [relative] : [];
    })
    .sort();
}
