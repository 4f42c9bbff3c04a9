// What a figure means depends on the machine that produced it: the core count, Node's
// version, and above all how busy the machine was. Every figure the benchmarks record carries
// the load average sampled next to it, because these machines are shared with other runs.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  totalMemoryMB: number;
  /** The soft limit on open files of this process (what the server and generators inherit). */
  openFilesLimit: number | undefined;
  date: string;
}

export function machineFacts(): MachineFacts {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${os.release()}`,
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    openFilesLimit: openFilesLimit(),
    date: new Date().toISOString(),
  };
}

/** The 1, 5 and 15 minute load averages, to two decimals (all zeros on Windows). */
export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = os.loadavg().map((value) => Math.round(value * 100) / 100);
  return [one, five, fifteen];
}

export const formatLoad = ([one, five, fifteen]: readonly number[]): string => `${one} ${five} ${fifteen}`;

/**
 * The soft limit on file descriptors (`ulimit -n`). Node has no API for it: Linux shows it in
 * /proc/self/limits; elsewhere a POSIX shell's builtin says it. Undefined when neither works.
 */
export function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft) return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    // Not Linux: ask the shell below.
  }
  if (process.platform === 'win32') return undefined;
  const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const value = result.stdout?.trim();
  if (!value) return undefined;
  return value === 'unlimited' ? Number.POSITIVE_INFINITY : Number(value);
}
