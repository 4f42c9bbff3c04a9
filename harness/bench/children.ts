// Every process a benchmark starts is registered here, so that none outlives the run: each
// benchmark stops its own in a `finally`, and on Ctrl+C (or a fatal error) the CLI kills
// whatever is still registered. Servers run in their own process group (a stray grandchild
// dies with them); load generators also exit by themselves when their parent goes away.

import type { ChildProcess } from 'node:child_process';
import { isAlive, killTree } from '../kit/process-tree.ts';

const running = new Set<ChildProcess>();

/** Registers `child` until it exits. */
export function track<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.once('error', () => running.delete(child));
  return child;
}

/** Kills one child (and its group) and resolves once it has exited, or after `withinMs`. */
export async function stopChild(child: ChildProcess, withinMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killTree(child.pid);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gone, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
}

/** Kills every registered child at once; synchronous, so it also works from a signal handler. */
export function killAllChildren(): void {
  for (const child of running) if (child.pid && isAlive(child.pid)) killTree(child.pid);
}

export const childrenRunning = (): number => running.size;
