// Test payloads that are the same on every run (so a failure can be replayed) but have
// no pattern a wrong program could pass by accident.

/** `length` bytes from a small xorshift generator seeded with `seed`. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let x = (seed * 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
