// A small seeded pseudo-random generator for the fuzzers: the same seed gives the same inputs
// on every machine and Node version, so a failure is reproduced from the seed it printed.
// sfc32, seeded through splitmix32: fast, good enough statistically, and a few lines. Never use
// it for anything secret (keys, nonces): that is node:crypto's job.

import { createCipheriv, randomInt } from 'node:crypto';

/** From this many bytes on, `bytes()` draws a key and takes a keystream instead of one draw per byte. */
const BULK_BYTES = 64;

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const splitmix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.next(); // mix away the seed's structure
  }

  /**
   * A generator for one input of one driver: (seed, driver, index) alone decide it, so input
   * number 41 723 can be replayed without generating the 41 722 before it.
   */
  static for(seed: number, ...labels: (string | number)[]): Random {
    let hash = (0x811c9dc5 ^ seed) >>> 0; // FNV-1a over the labels, started from the seed
    for (const char of labels.join('\u0000')) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    return new Random(hash);
  }

  /** A uniformly random unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 2 ** 32;
  }

  /** An integer in [0, below). */
  int(below: number): number {
    return Math.floor(this.float() * below);
  }

  /** An integer in [low, high], both included. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick() from an empty list');
    return items[this.int(items.length)]!;
  }

  bytes(length: number): Buffer {
    if (length < BULK_BYTES) return Buffer.from(Array.from({ length }, () => this.next() & 0xff));
    // Many bytes (frame bodies go up to 64 KiB): AES-CTR's keystream under a key drawn from this
    // generator. Standard, so the same on every machine, and far faster than one draw per byte.
    const key = Buffer.alloc(16);
    const iv = Buffer.alloc(16);
    for (let i = 0; i < 16; i += 4) {
      key.writeUInt32BE(this.next(), i);
      iv.writeUInt32BE(this.next(), i);
    }
    return createCipheriv('aes-128-ctr', key, iv).update(Buffer.alloc(length));
  }

  /**
   * A length up to `max`, most often small, sometimes anywhere, sometimes right at `max` or one
   * past it: bugs live at the edges (0, 1, the limit, the limit + 1).
   */
  size(max: number): number {
    const roll = this.float();
    if (roll < 0.45) return this.int(Math.min(17, max + 1));
    if (roll < 0.75) return this.int(Math.min(1025, max + 1));
    if (roll < 0.9) return this.int(max + 1);
    return Math.max(0, max + this.between(-2, 1));
  }
}

/** A fresh seed when none was given (it is printed, so the run can be repeated). */
export function freshSeed(): number {
  return randomInt(0, 2 ** 31);
}
