// Renders a scenario's wire transcript: one block per connection, one line per event,
// time since the scenario began, direction, size, and the bytes (text escaped, binary hex).
// A connection opened with the frames view (lab 2 on) shows its bytes as frames instead:
// where each frame starts and ends, its length and body, and how writes and reads cut them.
// On a secure channel (lab 5) the harness holds the session keys, so under each sealed frame
// it shows the plaintext the frame carried: ciphertext and plaintext side by side.

import { preview } from '../kit/bytes.ts';
import { eventBytes, type ConnectionRecord, type SealedFrame, type WireEvent } from '../kit/transcript.ts';
import { FrameReader } from './frame-view.ts';
import type { Style } from './style.ts';

/** Events shown per connection before the middle is elided. */
const HEAD_EVENTS = 24;
const TAIL_EVENTS = 8;
/** Bytes previewed per write or read: enough to recognise, short enough to scan. */
const PREVIEW_BYTES = 48;
/** Frames listed per write or read; the middle of a longer list is summed up in one line. */
const FRAMES_LISTED = 4;
/** Characters of a sealed frame's plaintext shown under it. */
const PLAINTEXT_SHOWN = 120;

type FrameReaders = Record<'sent' | 'received', FrameReader>;

export function renderTranscript(connections: ConnectionRecord[], style: Style): string[] {
  const lines: string[] = [];
  for (const connection of connections) {
    lines.push(`  ${style.color.bold(connection.label)}`);
    // Frames are read from the first event on, elided ones included: where a frame starts
    // depends on every byte before it.
    const frames: FrameReaders | undefined = connection.view === 'frames' ? { sent: new FrameReader('write'), received: new FrameReader('read') } : undefined;
    const described = connection.events.map((event) => ({ event, text: frames ? describeFrames(event, frames, style, connection.sealed) : [describe(event, style)] }));
    const elide = described.length > HEAD_EVENTS + TAIL_EVENTS;
    const shown = elide ? [...described.slice(0, HEAD_EVENTS), undefined, ...described.slice(-TAIL_EVENTS)] : described;
    for (const item of shown) {
      if (!item) {
        lines.push(style.color.dim(`    … ${described.length - HEAD_EVENTS - TAIL_EVENTS} more events …`));
        continue;
      }
      const [first, ...more] = item.text;
      // Lines after the first (one per frame) sit under the event's description.
      lines.push(`    ${style.color.dim(time(item.event.at))}  ${first}`, ...more.map((line) => `${' '.repeat(17)}${line}`));
    }
    if (frames) lines.push(...unfinishedFrames(frames, style));
  }
  return lines;
}

/**
 * One event of a frames-view connection: a line beside the time, then one line per frame when
 * there are several, then (lab 5) what each sealed frame it completed carried.
 */
function describeFrames(event: WireEvent, readers: FrameReaders, style: Style, sealed: SealedFrame[] = []): string[] {
  if (event.kind !== 'sent' && event.kind !== 'received') return [describe(event, style)];
  const unit = event.kind === 'sent' ? 'write' : 'read';
  const { parts, whole } = readers[event.kind].read(eventBytes(event), event.size ?? 0);
  const kind = event.kind;
  const carried = readers[kind].completed.flatMap((number) => sealed.filter((s) => s.direction === kind && s.frame === number).map((s) => carries(s, style)));
  const head = direction(event, style);
  if (parts.length === 1) return [`${head}  ${parts[0]}${note(event)}`, ...carried];
  const count = whole === parts.length ? `${whole} frames in one ${unit}` : `pieces of ${parts.length} frames in one ${unit}`;
  const listed = parts.length > FRAMES_LISTED + 1 ? [...parts.slice(0, FRAMES_LISTED), `… ${parts.length - FRAMES_LISTED - 1} more frames …`, parts.at(-1)!] : parts;
  return [`${head}  ${count}:${note(event)}`, ...listed, ...carried];
}

/** "frame #3 carries: {"type":"who"}": the plaintext of a sealed frame, as the harness sealed or opened it. */
function carries(frame: SealedFrame, style: Style): string {
  const remark = frame.note ? `  (${frame.note})` : '';
  if (frame.plaintext === undefined) return style.color.yellow(`frame #${frame.frame}: no plaintext${remark}`);
  const bytes = Buffer.from(frame.plaintext, 'base64');
  const size = frame.size ?? bytes.length;
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = undefined;
  }
  // JSON reads best as it is; anything with control characters or not UTF-8 as escaped bytes.
  const shown =
    text !== undefined && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text)
      ? text.length > PLAINTEXT_SHOWN ? `${text.slice(0, PLAINTEXT_SHOWN)}… (${size} bytes in all)` : text
      : preview(bytes, PREVIEW_BYTES, size);
  return style.color.green(`frame #${frame.frame} carries: ${shown}`) + remark;
}

/** After a frames-view connection: the frame each side left unfinished, if any. */
function unfinishedFrames(readers: FrameReaders, style: Style): string[] {
  const lines: string[] = [];
  const sent = readers.sent.unfinished();
  const received = readers.received.unfinished();
  if (sent) lines.push(style.color.dim(`    unfinished: the harness's ${sent}`));
  if (received) lines.push(style.color.yellow(`    unfinished: your program's ${received}`));
  return lines;
}

function time(ms: number): string {
  return `+${ms.toFixed(1)} ms`.padStart(11);
}

function direction(event: WireEvent, style: Style): string {
  return event.kind === 'sent' ? style.color.cyan(`${style.arrowOut} sent ${event.size} B`) : style.color.magenta(`${style.arrowIn} received ${event.size} B`);
}

function describe(event: WireEvent, style: Style): string {
  const { color } = style;
  switch (event.kind) {
    case 'sent':
    case 'received':
      return `${direction(event, style)}  ${preview(eventBytes(event), PREVIEW_BYTES, event.size)}${note(event)}`;
    case 'fault':
      return color.yellow(`! injected on purpose: ${event.note}`);
    case 'error':
      return color.red(`socket error: ${event.note}`);
    default:
      // Lifecycle events (connected, half-closed, reset, closed…) carry a sentence of their own.
      return event.note ?? event.kind;
  }
}

const note = (event: WireEvent) => (event.note ? `  (${event.note})` : '');
