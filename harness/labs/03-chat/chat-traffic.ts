// The slow-reader scenario's traffic: batches of 1000-character chat lines, each batch sent
// as one write, up to a budget that is sure to overflow the server's queue for a client
// that does not read, and no further.
//
// Why a budget of several MiB: bytes for a client that does not read first fill the
// kernel's buffers (the server's send buffer grows up to `tcp_wmem`'s maximum, 4 MiB on a
// stock Linux; macOS and Windows are similar or smaller). Only then does anything pile up
// in the server's socket.writableLength, where the limit applies.

import { readFileSync } from 'node:fs';
import { frame } from '../../kit/frames.ts';

const LINES_PER_BATCH = 60;
const TEXT_CHARS = 1000;
const TYPICAL_SEND_BUFFER = 4 * 1024 * 1024;
/** Room for the server's own limit (256 KiB) and the reader's receive buffer, with margin. */
const SLACK_BYTES = 1024 * 1024;

/** The most a kernel send buffer grows to: Linux says so in /proc; elsewhere, the usual 4 MiB. */
function largestSendBuffer(): number {
  try {
    const max = Number(readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[2]);
    return Number.isFinite(max) && max > 0 ? Math.max(max, TYPICAL_SEND_BUFFER) : TYPICAL_SEND_BUFFER;
  } catch {
    return TYPICAL_SEND_BUFFER;
  }
}

export class ChatTraffic {
  readonly linesPerBatch = LINES_PER_BATCH;
  readonly textChars = TEXT_CHARS;
  /** Every batch has the same size: the lines are padded to the same length. */
  readonly batchBytes: number;
  /** Twice what the kernel may absorb, plus slack: about 9 MiB on a stock Linux. */
  readonly maxBatches: number;
  private readonly filler = '.'.repeat(TEXT_CHARS);

  constructor() {
    this.batchBytes = this.batch(1).length;
    this.maxBatches = Math.ceil((2 * largestSendBuffer() + SLACK_BYTES) / this.batchBytes);
  }

  /** The text of line `line` (from 1) of batch `batch` (from 1). */
  text(batch: number, line: number): string {
    const label = `batch ${batch} line ${line} `;
    return label + this.filler.slice(label.length);
  }

  /** The chat frames of one batch, glued together for one write. */
  batch(batch: number): Buffer {
    return Buffer.concat(Array.from({ length: LINES_PER_BATCH }, (_, i) => frame(JSON.stringify({ type: 'chat', text: this.text(batch, i + 1) }))));
  }

  /** MiB of chat sent up to and including `batch`, to one decimal. */
  mib(batch: number): string {
    return ((batch * this.batchBytes) / (1024 * 1024)).toFixed(1);
  }
}
