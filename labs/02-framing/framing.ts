// Lab 2: length-prefixed frames over a TCP byte stream.
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
// Read the guide first:  npm run docs 2        Test your work:  npm run lab 2
// Lab 3 builds on this file, so keep the names and signatures as they are.

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
  // TODO: refuse a body longer than maxBodyBytes by throwing a FrameError.
  // TODO: return ONE buffer holding the body's length as a 4-byte unsigned big-endian
  //       integer, followed by the body itself.
  throw new Error('TODO: encodeFrame is not written yet');
}

/**
 * Turns chunks of any size into whole frame bodies. Feed it every chunk as it arrives;
 * it returns the bodies completed by that chunk (zero, one or many) and keeps the rest.
 */
export class FrameDecoder {
  constructor(private readonly maxBodyBytes = MAX_BODY_BYTES) {}

  push(chunk: Uint8Array): Buffer[] {
    // TODO: keep the bytes of an unfinished frame from one call to the next.
    // TODO: return every whole frame body now available, in order: none, one or many.
    // TODO: as soon as a header is complete, throw a FrameError if its length is over
    //       this.maxBodyBytes, without waiting for (or making room for) the body.
    throw new Error('TODO: FrameDecoder.push is not written yet');
  }

  /** Bytes of an unfinished frame still waiting for the rest. */
  get buffered(): number {
    // TODO: how many bytes are kept, waiting for the rest of a frame.
    return 0;
  }
}
