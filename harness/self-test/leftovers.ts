// Finds processes whose command line mentions a path: after a lab run, none may be left.

import { execFileSync } from 'node:child_process';

export function processesMentioning(text: string): string[] {
  const listing =
    process.platform === 'win32'
      ? execFileSync('powershell', ['-NoProfile', '-Command', 'Get-CimInstance Win32_Process | ForEach-Object { "$($_.ProcessId) $($_.CommandLine)" }'], { encoding: 'utf8' })
      : execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return listing.split(/\r?\n/).filter((line) => line.includes(text) && !line.includes(' ps -eo'));
}
