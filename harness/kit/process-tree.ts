// Killing a learner program and everything it started. On POSIX each program runs in its
// own process group (spawned detached), so one signal reaches its children too. Every
// started pid is also written to the run's registry so the supervisor can sweep anything
// a crashed worker left behind.
//
// Neither reaches a descendant that left the group (a daemon made with setsid, or
// `detached: true`) once its parent has exited: it is re-parented to init, so no walk of parent
// pids finds it either. What it keeps is its environment: every process a lab run starts inherits
// the run's SOCKETLAB_RUN_DIR, so the supervisor finds them all by that (`processesWithEnv`).

import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
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

/**
 * Kills what is left of the process group of `pid` once `pid` itself has exited: children it
 * started stay in its group, and the group id stays theirs while any of them lives, so this
 * reaches them without any risk of hitting an unrelated process that got the pid since.
 * (Windows has no groups: taskkill /T needs the parent alive; the supervisor's sweep remains.)
 */
export function killOrphanedGroup(pid: number): void {
  if (isWindows) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: no process left in the group.
  }
}

/** True while `pid` exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has ended: it holds no socket and runs nothing, and only waits for its parent (for
  // an orphan, the system's init, which may be slow to come) to collect its exit status.
  return process.platform !== 'linux' || !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (command) state …"; the command may itself hold ") ".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false; // gone meanwhile, or no /proc: kill(pid, 0) said it was there
  }
}

/** The file the supervisor reads after a run; one pid per line. */
export function registryFile(runDir: string): string {
  return path.join(runDir, 'pids');
}

/**
 * Every live process started under the lab run whose folder is `runDir`, however far it strayed
 * from the process group it was started in: they all inherited SOCKETLAB_RUN_DIR.
 */
export function runProcesses(runDir: string): number[] {
  return processesWithEnv('SOCKETLAB_RUN_DIR', runDir);
}

export function registerPid(pid: number): void {
  const runDir = process.env.SOCKETLAB_RUN_DIR;
  if (runDir) appendFileSync(registryFile(runDir), `${pid}\n`);
}

/**
 * The pids of our processes whose environment holds `name=value` (this process excluded).
 * Linux reads /proc/<pid>/environ: the environment the process was started with, which a program
 * that edits process.env later does not change. macOS asks `ps -E`. Windows gives no cheap access
 * to another process's environment: there the answer is always empty, and a descendant whose
 * parent has exited escapes (a documented limit; `taskkill /T` still takes the rest of a tree).
 */
export function processesWithEnv(name: string, value: string): number[] {
  if (process.platform === 'linux') return linuxProcessesWithEnv(`${name}=${value}`);
  if (isWindows) return [];
  return psProcessesWithEnv(`${name}=${value}`);
}

function linuxProcessesWithEnv(entry: string): number[] {
  // Entries are NUL-separated: pad the ends so the first and the last entry match whole too.
  const needle = Buffer.from(`\0${entry}\0`);
  const nul = Buffer.from([0]);
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(path.join('/proc', name, 'environ'));
    } catch {
      continue; // gone meanwhile, or another user's process
    }
    if (Buffer.concat([nul, environ, nul]).includes(needle)) found.push(Number(name));
  }
  return found;
}

function psProcessesWithEnv(entry: string): number[] {
  let listing: string;
  try {
    // -E appends each process's environment to its command line (our own processes only).
    listing = execFileSync('ps', ['-E', '-ww', '-o', 'pid=,command='], { encoding: 'utf8', timeout: 5000 });
  } catch {
    return [];
  }
  return listing
    .split('\n')
    .filter((line) => ` ${line} `.includes(` ${entry} `))
    .map((line) => Number.parseInt(line, 10))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}
