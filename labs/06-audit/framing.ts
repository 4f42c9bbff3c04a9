// Lab 2 (reference solution): length-prefixed frames over a TCP byte stream.
//
// TCP delivers bytes, not messages: one write may arrive in pieces, several writes may
// arrive glued together. A frame puts the body's length in front of the body, so the
// receiver knows where each message ends:
//
//   +----------------------+------------------------+
//   | length: 4 bytes      | body: `length` bytes   |
//   | unsigned, big-endian |                        |
//   +----------------------+------------------------+
//
// (The original Python room used a 64-byte header of space-padded decimal text and read
// it with a single recv(); when the header arrived in two pieces, the stream went out of
// step for good. The decoder below never assumes a chunk holds a whole header or body.)

/** Size of the length header in bytes. */
export const HEADER_BYTES = 4;

/** The largest body accepted by default: 64 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A violation of the frame format: the connection cannot be trusted to stay in step. */
export class FrameError extends Error {
  override name = 'FrameError';
}

/** Builds one frame: the 4-byte length, then the body, in a single buffer (one write). */
export function encodeFrame(body: Uint8Array, maxBodyBytes = MAX_BODY_BYTES): Buffer {
  if (body.length > maxBodyBytes) throw new FrameError(`frame body of ${body.length} bytes is over the limit of ${maxBodyBytes}`);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, HEADER_BYTES);
  return frame;
}

/**
 * Turns chunks of any size into whole frame bodies. Feed it every chunk as it arrives;
 * it returns the bodies completed by that chunk (zero, one or many) and keeps the rest.
 */
export class FrameDecoder {
  /** Bytes received but not yet part of a returned frame. */
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBodyBytes = MAX_BODY_BYTES) {}

  push(chunk: Uint8Array): Buffer[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const bodies: Buffer[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const length = this.pending.readUInt32BE(0);
      // Check the announced length *before* waiting for (or allocating) the body: a
      // header that announces 4 GiB must not make us buffer 4 GiB.
      if (length > this.maxBodyBytes) throw new FrameError(`a frame announced ${length} bytes, over the limit of ${this.maxBodyBytes}`);
      if (this.pending.length < HEADER_BYTES + length) break; // the body is still on its way
      bodies.push(this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length));
      this.pending = this.pending.subarray(HEADER_BYTES + length);
    }
    return bodies;
  }

  /** Bytes of an unfinished frame still waiting for the rest. */
  get buffered(): number {
    return this.pending.length;
  }
}
