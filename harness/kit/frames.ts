// The harness's own reading of the frame format (docs/protocol.md): a 4-byte unsigned
// big-endian body length, then the body. Written independently of any learner or
// solution code, so the tests never trust the code they are testing.

export const FRAME_HEADER_BYTES = 4;
export const FRAME_LIMIT = 64 * 1024;

export function frame(body: Uint8Array | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const header = Buffer.alloc(FRAME_HEADER_BYTES);
  header.writeUInt32BE(bytes.length);
  return Buffer.concat([header, bytes]);
}

/** A header announcing `length` bytes, with no body: for limit tests. */
export function header(length: number): Buffer {
  const bytes = Buffer.alloc(FRAME_HEADER_BYTES);
  bytes.writeUInt32BE(length);
  return bytes;
}

export interface SplitFrames {
  bodies: Buffer[];
  /** Bytes after the last whole frame (an unfinished frame). */
  rest: Buffer;
}

/** Splits a byte stream into whole frame bodies; never throws, never allocates a body it has not received. */
export function splitFrames(stream: Uint8Array): SplitFrames {
  const bytes = Buffer.from(stream.buffer, stream.byteOffset, stream.length);
  const bodies: Buffer[] = [];
  let at = 0;
  while (bytes.length - at >= FRAME_HEADER_BYTES) {
    const length = bytes.readUInt32BE(at);
    if (bytes.length - at - FRAME_HEADER_BYTES < length) break;
    bodies.push(bytes.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length));
    at += FRAME_HEADER_BYTES + length;
  }
  return { bodies, rest: bytes.subarray(at) };
}
