// What every benchmark is: a name, a sentence, and a function that measures and returns its
// tables (printed) and its figures (written to results/bench/ as JSON).

import type { Style } from '../report/style.ts';
import type { Table } from './table.ts';

export interface BenchSettings {
  quick: boolean;
  /** Fan-out and scaling: the client counts to try (default per benchmark). */
  clients?: number[];
  generators: number;
  /** Feedback: runs per lab (median of these). */
  runs?: number;
  classSize?: number;
  connections?: number;
  logins?: number;
  /** Connections: accounts in the room's store (registrations rewrite all of it). */
  accounts?: number;
  /** Milliseconds measured per load phase (after a warm-up). */
  measureMs?: number;
  /** Profile the room's server during the fan-out at this many clients (node --cpu-prof). */
  profile: boolean;
  /** The room from another tree laid out like solutions/ (a patched copy to compare), instead of solutions/. */
  roomTree?: string;
  /** Where figures and profiles go. */
  outDir: string;
  style: Style;
  signal: AbortSignal;
  /** Progress for the person waiting (stderr): what is being measured now. */
  progress: (line: string) => void;
}

export interface BenchOutput {
  tables: Table[];
  /** Everything measured, for the JSON file; every figure carries the load average it was taken under. */
  figures: unknown;
}

export interface Benchmark {
  name: string;
  summary: string;
  run(settings: BenchSettings): Promise<BenchOutput>;
}
