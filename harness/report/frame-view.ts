// Reads one direction of a connection's transcript as a stream of frames (docs/protocol.md),
// so the failure view can say where frames begin and end: the length each header announces,
// each body, a frame split across several reads, several frames in one read, a frame left
// unfinished. It decodes with the harness's own reading of the format, never the learner's.
//
// The transcript keeps only the first 4 KiB of each write or read (and its true size). When
// the bytes that were not kept all lie inside one frame's body, the reader steps over them
// and stays in step; otherwise it says so, and shows the rest of that direction as bytes.

import { preview } from '../kit/bytes.ts';
import { FRAME_HEADER_BYTES, FRAME_LIMIT } from '../kit/frames.ts';

/** Body bytes shown per frame or piece of a frame. */
const BODY_PREVIEW_BYTES = 40;

interface FrameInProgress {
  number: number;
  header: Buffer;
  /** Known once the 4 header bytes are in. */
  length?: number;
  /** The first bytes of the body, for the preview of the whole frame. */
  bodyStart: Buffer;
  bodyBytes: number;
  /** How many writes (or reads) have carried part of this frame. */
  pieces: number;
}

/** What one write (or read) carried, as far as frames go. */
export interface EventFrames {
  /** One phrase per frame, or piece of a frame, in order. */
  parts: string[];
  /** How many frames this write (or read) completed. */
  whole: number;
}

export class FrameReader {
  private count = 0;
  private current: FrameInProgress | undefined;
  private lost = false;
  /** The numbers of the frames the last read() completed, in order (lab 5 shows what each sealed one carried). */
  completed: number[] = [];

  /** `unit` names one event of this direction: a "write" by the harness, a "read" of the program's bytes. */
  constructor(private readonly unit: 'write' | 'read') {}

  /** Reads one event: `kept` the bytes the transcript kept, `size` how many there really were. */
  read(kept: Buffer, size: number): EventFrames {
    this.completed = [];
    if (this.lost) return { parts: [`${preview(kept, BODY_PREVIEW_BYTES, size)} (frame boundaries unknown, see above)`], whole: 0 };
    const parts: string[] = [];
    let whole = 0;
    let at = 0;
    const missing = size - kept.length;
    while (at < kept.length) {
      const frame = (this.current ??= { number: ++this.count, header: Buffer.alloc(0), bodyStart: Buffer.alloc(0), bodyBytes: 0, pieces: 0 });
      frame.pieces++;
      const headerBefore = frame.header.length;
      const bodyBefore = frame.bodyBytes;
      const piece = kept.subarray(at, at + this.take(frame, kept.subarray(at)));
      at += piece.length;
      // The bytes not kept come right after the last kept byte: if they all lie inside the
      // current body, step over them; otherwise we can no longer tell where frames start.
      let lostHere = false;
      if (at === kept.length && missing > 0) {
        if (frame.length !== undefined && missing <= frame.length - frame.bodyBytes) frame.bodyBytes += missing;
        else lostHere = true;
      }
      if (frame.length !== undefined && frame.bodyBytes === frame.length) {
        parts.push(this.complete(frame));
        whole++;
        this.completed.push(frame.number);
        this.current = undefined;
      } else {
        parts.push(this.partial(frame, headerBefore, bodyBefore, piece.subarray(frame.header.length - headerBefore)));
      }
      if (lostHere) {
        this.lost = true;
        parts.push(`then ${missing} B the transcript did not keep (it keeps the first 4 KiB of each ${this.unit}): frame boundaries from here on are unknown`);
      }
    }
    return { parts, whole };
  }

  /** The frame this direction left unfinished, in words, or undefined. */
  unfinished(): string | undefined {
    const frame = this.current;
    if (!frame || this.lost) return undefined;
    if (frame.length === undefined) return `frame #${frame.number} stopped after ${frame.header.length} of its ${FRAME_HEADER_BYTES} header bytes`;
    return `frame #${frame.number} stopped after ${frame.bodyBytes} of the ${frame.length} body bytes its header announced`;
  }

  /** Feeds bytes to the frame in progress; returns how many it took. */
  private take(frame: FrameInProgress, bytes: Buffer): number {
    let used = 0;
    if (frame.length === undefined) {
      used = Math.min(FRAME_HEADER_BYTES - frame.header.length, bytes.length);
      frame.header = Buffer.concat([frame.header, bytes.subarray(0, used)]);
      if (frame.header.length < FRAME_HEADER_BYTES) return used;
      frame.length = frame.header.readUInt32BE(0);
    }
    const body = bytes.subarray(used, used + (frame.length - frame.bodyBytes));
    if (frame.bodyStart.length < BODY_PREVIEW_BYTES) frame.bodyStart = Buffer.concat([frame.bodyStart, body.subarray(0, BODY_PREVIEW_BYTES - frame.bodyStart.length)]);
    frame.bodyBytes += body.length;
    return used + body.length;
  }

  private complete(frame: FrameInProgress): string {
    const body = showBody(frame.bodyStart, frame.bodyBytes);
    if (frame.pieces === 1) return `frame #${frame.number}, ${announced(frame)}: ${body}`;
    return `end of frame #${frame.number}, ${announced(frame)}: ${body} (split across ${frame.pieces} ${this.unit}s)`;
  }

  /** A piece of a frame that is not finished yet: what this event added to it. */
  private partial(frame: FrameInProgress, headerBefore: number, bodyBefore: number, bodyPiece: Buffer): string {
    const head = frame.pieces === 1 ? `start of frame #${frame.number}` : `more of frame #${frame.number}`;
    const headerPiece = frame.header.subarray(headerBefore);
    const phrases: string[] = [];
    // A header that arrived whole is simply its length; one in pieces shows the bytes of each.
    if (headerPiece.length && headerPiece.length < FRAME_HEADER_BYTES) phrases.push(`header ${range(headerBefore, frame.header.length)} of ${FRAME_HEADER_BYTES} ${preview(headerPiece)}`);
    if (frame.length !== undefined && headerBefore < FRAME_HEADER_BYTES) phrases.push(announced(frame));
    if (frame.length !== undefined && frame.bodyBytes > bodyBefore) {
      const piece = showBody(bodyPiece, frame.bodyBytes - bodyBefore);
      phrases.push(`body ${range(bodyBefore, frame.bodyBytes)} of ${frame.length} ${piece}`);
    }
    return `${head}: ${phrases.join(', ')}`;
  }
}

/** "length 13", or for a length over the limit, the header bytes too (text read as a length shows up here). */
function announced(frame: FrameInProgress): string {
  const length = frame.length!;
  return length > FRAME_LIMIT ? `header ${preview(frame.header)} announces ${length} B, over the ${FRAME_LIMIT} B limit` : `length ${length}`;
}

/** Byte positions counted from 1, as a reader says them: "byte 3", "bytes 2–4". */
function range(before: number, after: number): string {
  return after - before === 1 ? `byte ${after}` : `bytes ${before + 1}–${after}`;
}

/**
 * A body (or piece of one) as text when it is valid UTF-8 without control characters, so
 * "naïve café" reads as such; otherwise as bytes. A piece cut inside a character is not
 * valid UTF-8, so it shows as bytes: exactly where the cut fell.
 */
export function showBody(bytes: Buffer, total: number): string {
  if (total === 0) return '(empty body)';
  const shown = bytes.subarray(0, BODY_PREVIEW_BYTES);
  const rest = total - shown.length;
  let text: string | undefined;
  try {
    // More bytes follow: a character cut at the end of the preview is not an error.
    text = new TextDecoder('utf-8', { fatal: true }).decode(shown, { stream: rest > 0 });
  } catch {
    text = undefined;
  }
  if (text === undefined || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) || /^[\x00-\x7f]*$/.test(text)) return preview(shown, BODY_PREVIEW_BYTES, total);
  const quoted = JSON.stringify(text);
  return rest > 0 ? `${quoted} … (${rest} more bytes)` : quoted;
}
