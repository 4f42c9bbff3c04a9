// Renders a scenario's wire transcript: one block per connection, one line per event,
// time since the scenario began, direction, size, and the bytes (text escaped, binary hex).

import { preview } from '../kit/bytes.ts';
import { eventBytes, type ConnectionRecord, type WireEvent } from '../kit/transcript.ts';
import type { Style } from './style.ts';

/** Events shown per connection before the middle is elided. */
const HEAD_EVENTS = 24;
const TAIL_EVENTS = 8;
/** Bytes previewed per write or read: enough to recognise, short enough to scan. */
const PREVIEW_BYTES = 48;

export function renderTranscript(connections: ConnectionRecord[], style: Style): string[] {
  const lines: string[] = [];
  for (const connection of connections) {
    lines.push(`  ${style.color.bold(connection.label)}`);
    const events = connection.events;
    const elide = events.length > HEAD_EVENTS + TAIL_EVENTS;
    const shown = elide ? [...events.slice(0, HEAD_EVENTS), undefined, ...events.slice(-TAIL_EVENTS)] : events;
    for (const event of shown) {
      if (!event) {
        lines.push(style.color.dim(`    … ${events.length - HEAD_EVENTS - TAIL_EVENTS} more events …`));
        continue;
      }
      lines.push(`    ${style.color.dim(time(event.at))}  ${describe(event, style)}`);
    }
  }
  return lines;
}

function time(ms: number): string {
  return `+${ms.toFixed(1)} ms`.padStart(11);
}

function describe(event: WireEvent, style: Style): string {
  const { color } = style;
  switch (event.kind) {
    case 'sent':
      return `${color.cyan(`${style.arrowOut} sent ${event.size} B`)}  ${preview(eventBytes(event), PREVIEW_BYTES, event.size)}${note(event)}`;
    case 'received':
      return `${color.magenta(`${style.arrowIn} received ${event.size} B`)}  ${preview(eventBytes(event), PREVIEW_BYTES, event.size)}${note(event)}`;
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
