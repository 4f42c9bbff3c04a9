// Where the kit keeps what it remembers about the learner (progress, backups): a folder
// beside their code, never inside it, ignored by git. Tests point it elsewhere with
// SOCKETLAB_STATE_DIR so they never touch a real learner's progress.

import path from 'node:path';
import { repoRoot } from '../manifest.ts';

export function stateDir(): string {
  return process.env.SOCKETLAB_STATE_DIR ? path.resolve(process.env.SOCKETLAB_STATE_DIR) : path.join(repoRoot, '.socketlab');
}
