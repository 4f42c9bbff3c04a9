// Mutations of raw bytes, the classic fuzzing moves: flip a bit, set a byte to an edge value,
// cut, extend, splice in part of another input, drop in a 32-bit number a length field could
// hold (4 GiB − 1, 2^31, the frame limit ± 1), or throw everything away for random bytes.
// Each returns a new buffer; the input is never changed.

import type { Random } from './random.ts';

/** Edge values for a big-endian 32-bit length field. */
export const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x10001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x0a, 0x0d, 0x22, 0x5c, 0x7b, 0x7d];

export interface ByteMutator {
  name: string;
  /** `donor` makes another input, for the mutations that splice one in (made only when needed). */
  apply(random: Random, input: Buffer, donor: () => Buffer): Buffer;
}

const copy = (input: Buffer) => Buffer.from(input);

export const byteMutators: ByteMutator[] = [
  {
    name: 'flip a bit',
    apply: (random, input) => {
      if (input.length === 0) return input;
      const out = copy(input);
      const at = random.int(out.length);
      out[at]! ^= 1 << random.int(8);
      return out;
    },
  },
  {
    name: 'set an edge byte',
    apply: (random, input) => {
      if (input.length === 0) return Buffer.from([random.pick(INTERESTING_BYTES)]);
      const out = copy(input);
      out[random.int(out.length)] = random.pick(INTERESTING_BYTES);
      return out;
    },
  },
  {
    name: 'write an edge 32-bit number',
    apply: (random, input) => {
      const out = Buffer.concat([input, Buffer.alloc(Math.max(0, 4 - input.length))]);
      out.writeUInt32BE(random.pick(INTERESTING_U32) + (random.chance(0.2) ? random.between(-1, 1) : 0) >>> 0, random.int(out.length - 3));
      return out;
    },
  },
  { name: 'truncate', apply: (random, input) => input.subarray(0, random.int(input.length + 1)) },
  { name: 'drop the start', apply: (random, input) => input.subarray(random.int(input.length + 1)) },
  {
    name: 'delete a slice',
    apply: (random, input) => {
      const from = random.int(input.length + 1);
      const to = Math.min(input.length, from + random.size(64));
      return Buffer.concat([input.subarray(0, from), input.subarray(to)]);
    },
  },
  {
    name: 'insert random bytes',
    apply: (random, input) => {
      const at = random.int(input.length + 1);
      return Buffer.concat([input.subarray(0, at), random.bytes(random.size(64)), input.subarray(at)]);
    },
  },
  {
    name: 'duplicate a slice',
    apply: (random, input) => {
      const from = random.int(input.length + 1);
      const slice = input.subarray(from, from + random.size(256));
      const at = random.int(input.length + 1);
      return Buffer.concat([input.subarray(0, at), slice, input.subarray(at)]);
    },
  },
  {
    name: 'splice with another input',
    apply: (random, input, donor) => {
      const other = donor();
      return Buffer.concat([input.subarray(0, random.int(input.length + 1)), other.subarray(random.int(other.length + 1))]);
    },
  },
  { name: 'replace with random bytes', apply: (random) => random.bytes(random.size(256)) },
];

/** Applies 1 to `most` mutations in a row; returns the result and their names (for a failure report). */
export function mutateBytes(random: Random, input: Buffer, donor: () => Buffer, most = 4): { bytes: Buffer; steps: string[] } {
  let bytes = input;
  const steps: string[] = [];
  for (let i = random.between(1, most); i > 0; i--) {
    const mutator = random.pick(byteMutators);
    bytes = mutator.apply(random, bytes, donor);
    steps.push(mutator.name);
  }
  return { bytes, steps };
}
