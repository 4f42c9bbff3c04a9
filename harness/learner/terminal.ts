// What the learner's terminal allows: prompts, single keys and paging only when both
// input and output are a terminal (never in CI or a pipe, where argv must do everything).

import { keysFrom, type KeySource } from './keys.ts';
import { page } from './pager.ts';

export const isInteractive = () => Boolean(process.stdin.isTTY && process.stdout.isTTY);

export const screenWidth = (stream: { columns?: number } = process.stdout) => stream.columns || 80;

/** Prints `text`, through the pager when the learner is at a terminal and `paging` is on. */
export async function showLong(text: string, paging = true): Promise<void> {
  if (!paging || !isInteractive()) {
    process.stdout.write(`${text}\n`);
    return;
  }
  const keys: KeySource = keysFrom(process.stdin);
  try {
    await page(text, process.stdout, keys);
  } finally {
    keys.close();
  }
}
