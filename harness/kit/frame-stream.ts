// Cuts a byte stream into frame bodies as chunks arrive, for harness code that watches a
// stream instead of waiting on it (the man in the middle). The harness's own frame format
// (frames.ts); a header over the limit ends the stream's reading instead of being waited for.

import { FRAME_HEADER_BYTES, FRAME_LIMIT, splitFrames } from './frames.ts';

export class FrameStream {
  private pending: Buffer = Buffer.alloc(0);
  /** Set once a header announced more than the limit: the stream cannot be read any further. */
  oversized = false;

  push(chunk: Buffer): Buffer[] {
    if (this.oversized) return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const { bodies, rest } = splitFrames(this.pending);
    this.pending = Buffer.from(rest);
    if (rest.length >= FRAME_HEADER_BYTES && rest.readUInt32BE(0) > FRAME_LIMIT) this.oversized = true;
    return bodies;
  }
}
