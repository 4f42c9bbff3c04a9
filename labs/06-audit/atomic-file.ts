// Lab 6: replacing a file so that a crash at any moment leaves either the old version or the
// new one, never half of one. Given complete: lab 4's store did this for users.json; now the
// statistics need it too, so it lives here and both use it.

import { open, rename } from 'node:fs/promises';
import path from 'node:path';

/** Replaces `file` with `content`, atomically (write beside it, then rename) and durably (fsync). */
export async function writeFileAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.tmp`;
  // 1. Write the whole new version to a temporary file, and flush it to the disk: until
  //    sync() returns, the bytes may only be in the operating system's memory.
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  // 2. Rename it over the old file: one step, all or nothing.
  await rename(temporary, file);
  // 3. The rename lives in the folder: flush the folder too, or a power cut may undo it.
  //    (Windows cannot open a folder like a file; its rename is flushed differently.)
  if (process.platform !== 'win32') {
    const folder = await open(path.dirname(file), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
