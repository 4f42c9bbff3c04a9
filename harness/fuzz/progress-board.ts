// Where a fuzz worker notes which input it is checking, in memory it shares with the main
// thread. When the code under test loops forever or exhausts its memory, the worker cannot say
// anything any more; the board still tells which input did it, what it looked like and how it
// was made. Written before each input (a few hundred bytes), read only once the worker is stuck
// or gone, so no finer synchronisation is needed than publishing the index last.

import { preview } from '../kit/bytes.ts';

const PREVIEW_BYTES = 96;
const STEPS_BYTES = 1024;
/** counters: the index being checked (-1 before the first), inputs finished, the input's length, preview length, steps length. */
const COUNTERS = 5;

export interface Snapshot {
  /** The input being checked, or -1. */
  index: number;
  done: number;
  input: string;
  steps: string[];
}

export class ProgressBoard {
  private readonly counters: Int32Array;
  private readonly preview: Uint8Array;
  private readonly steps: Uint8Array;

  constructor(readonly buffer = new SharedArrayBuffer(COUNTERS * 4 + PREVIEW_BYTES + STEPS_BYTES)) {
    this.counters = new Int32Array(buffer, 0, COUNTERS);
    this.preview = new Uint8Array(buffer, COUNTERS * 4, PREVIEW_BYTES);
    this.steps = new Uint8Array(buffer, COUNTERS * 4 + PREVIEW_BYTES, STEPS_BYTES);
    Atomics.store(this.counters, 0, -1);
  }

  begin(index: number, input: Uint8Array, steps: string[]): void {
    const shown = input.subarray(0, PREVIEW_BYTES);
    this.preview.set(shown);
    const written = new TextEncoder().encodeInto(steps.join('\u0000'), this.steps).written;
    this.counters[2] = input.length;
    this.counters[3] = shown.length;
    this.counters[4] = written;
    Atomics.store(this.counters, 0, index);
  }

  finish(): void {
    Atomics.add(this.counters, 1, 1);
  }

  read(): Snapshot {
    const index = Atomics.load(this.counters, 0);
    const done = Atomics.load(this.counters, 1);
    if (index < 0) return { index, done, input: '', steps: [] };
    const shown = Buffer.from(this.preview.slice(0, this.counters[3]));
    const steps = new TextDecoder().decode(this.steps.slice(0, this.counters[4]));
    return { index, done, input: `${preview(shown, PREVIEW_BYTES, this.counters[2])} (${this.counters[2]} bytes)`, steps: steps ? steps.split('\u0000') : [] };
  }
}
