// Reads a V8 CPU profile (node --cpu-prof) and says where the time went: the functions with
// the most self time (the CPU spent in the function's own code) and, for the program's own
// functions, the most total time (itself and everything it called). Idle time is left out of
// the percentages: they are shares of the time the server was working.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  /** file:line, relative to the repository when it is ours; "node:…" for Node's own code. */
  where: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  idleMs: number;
  gcPercent: number;
  self: FunctionTime[];
  /** Total (inclusive) time of the program's own functions (not Node's, not installed packages'). */
  total: FunctionTime[];
}

const IDLE = new Set(['(idle)', '(program)']);

/** The program's own files: not Node's internals, not installed packages. */
const isOwnCode = (url: string) => url.startsWith('file://') && !url.includes('/node_modules/');

/**
 * The main thread's profile in `dir`, or undefined. --cpu-prof writes one file per thread, and
 * tsx's loader hooks run on a thread of their own: the main thread's file is the largest.
 */
export function mainThreadProfile(dir: string): string | undefined {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(dir, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  } catch {
    return undefined;
  }
}

export function summariseProfile(file: string, repoRoot: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const where = (node: ProfileNode) => {
    const { url, lineNumber } = node.callFrame;
    if (!url) return '';
    const local = url.startsWith('file://') ? path.relative(repoRoot, new URL(url).pathname) : url;
    // tsx's transpiled modules report every function on line 0: the file alone says more.
    return lineNumber > 0 ? `${local}:${lineNumber + 1}` : local;
  };
  const key = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'}\u0000${where(node)}`;

  let idle = 0;
  let gc = 0;
  let busy = 0;
  const self = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id)!;
    if (IDLE.has(node.callFrame.functionName)) {
      idle += micros;
      continue;
    }
    if (node.callFrame.functionName === '(garbage collector)') gc += micros;
    busy += micros;
    self.set(key(node), (self.get(key(node)) ?? 0) + micros);
  }

  // Inclusive time: a node's own time and all of its descendants'. Counted once per function
  // per stack, so a recursive function is not counted twice.
  const inclusive = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const node = byId.get(id)!;
    let micros = IDLE.has(node.callFrame.functionName) ? 0 : (selfMicros.get(id) ?? 0);
    const k = key(node);
    const first = !onStack.has(k);
    if (first) onStack.add(k);
    for (const child of node.children ?? []) micros += walk(child, onStack);
    if (first) {
      onStack.delete(k);
      if (isOwnCode(node.callFrame.url)) inclusive.set(k, (inclusive.get(k) ?? 0) + micros);
    }
    return micros;
  };
  const root = profile.nodes[0];
  if (root) walk(root.id, new Set());

  const list = (times: Map<string, number>) =>
    [...times]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, micros]) => {
        const [name = '', at = ''] = k.split('\u0000');
        return { name, where: at, ms: Math.round(micros / 1000), percent: Math.round((micros / Math.max(1, busy)) * 1000) / 10 };
      });
  return { file, busyMs: Math.round(busy / 1000), idleMs: Math.round(idle / 1000), gcPercent: Math.round((gc / Math.max(1, busy)) * 1000) / 10, self: list(self), total: list(inclusive) };
}
