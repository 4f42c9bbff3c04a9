// An incremental frame splitter for load clients, built for speed: whole frames are handed
// out as views into the chunk they arrived in (no copy), and only a frame cut between two
// chunks is copied. Lengths are checked against the protocol's limit before anything waits.

const HEADER_BYTES = 4;
const MAX_BODY_BYTES = 64 * 1024;

export class FrameReader {
  private pending: Buffer | undefined;

  /** Calls `onBody` for every whole frame; throws when a header announces more than the limit. */
  push(chunk: Buffer, onBody: (body: Buffer) => void): void {
    const bytes = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (bytes.length - at >= HEADER_BYTES) {
      const length = bytes.readUInt32BE(at);
      if (length > MAX_BODY_BYTES) throw new Error(`the server sent a frame header announcing ${length} bytes, over the limit of ${MAX_BODY_BYTES}`);
      if (bytes.length - at - HEADER_BYTES < length) break;
      onBody(bytes.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length));
      at += HEADER_BYTES + length;
    }
    this.pending = at < bytes.length ? Buffer.from(bytes.subarray(at)) : undefined;
  }
}

/** One frame: the 4-byte big-endian length, then the body, in one buffer (one write). */
export function frameOf(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, HEADER_BYTES);
  return out;
}
