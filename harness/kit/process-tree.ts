// Killing a learner program and everything it started. On POSIX each program runs in its
// own process group (spawned detached), so one signal reaches its children too. Every
// started pid is also written to the run's registry so the supervisor can sweep anything
// a crashed worker left behind.

import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';

export const isWindows = process.platform === 'win32';

export function killTree(pid: number): void {
  if (isWindows) {
    spawnSync('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    return;
  }
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // ESRCH: already gone. EPERM cannot happen for our own children.
    }
  }
}

/** True while `pid` exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The file the supervisor reads after a run; one pid per line. */
export function registryFile(runDir: string): string {
  return path.join(runDir, 'pids');
}

export function registerPid(pid: number): void {
  const runDir = process.env.SOCKETLAB_RUN_DIR;
  if (runDir) appendFileSync(registryFile(runDir), `${pid}\n`);
}
