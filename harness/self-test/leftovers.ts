// Finds processes still running after a test: by what their command line mentions, or by pid.

import { execFileSync } from 'node:child_process';

/** Every process, one "pid command line" each. */
function processList(): string[] {
  const listing =
    process.platform === 'win32'
      ? execFileSync('powershell', ['-NoProfile', '-Command', 'Get-CimInstance Win32_Process | ForEach-Object { "$($_.ProcessId) $($_.CommandLine)" }'], { encoding: 'utf8' })
      : execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return listing.split(/\r?\n/).filter((line) => !line.includes(' ps -eo'));
}

export function processesMentioning(text: string): string[] {
  return processList().filter((line) => line.includes(text));
}

/** The "pid command line" of each of `pids` still running (none: no `ps` at all). */
export function describeProcesses(pids: number[]): string[] {
  if (pids.length === 0) return [];
  return processList().filter((line) => pids.includes(Number.parseInt(line, 10)));
}
