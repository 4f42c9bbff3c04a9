// How bytes are shown to a learner: printable text escaped like a string literal,
// anything else as hex, long payloads cut with their true size kept.

const PREVIEW_BYTES = 96;

/** True when most of the buffer is printable ASCII (or common whitespace). */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  let printable = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
  return printable / bytes.length >= 0.9;
}

/** One byte as it appears inside a quoted preview: `a`, `\n`, `\x00`. */
export function escapeByte(b: number): string {
  if (b === 0x0a) return '\\n';
  if (b === 0x0d) return '\\r';
  if (b === 0x09) return '\\t';
  if (b === 0x22) return '\\"';
  if (b === 0x5c) return '\\\\';
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * A short, faithful preview: `"hello\n"` or `<00 01 02 …>`, with "… (N more bytes)".
 * `totalLength` is the real size when `bytes` is only the start of a longer payload.
 */
export function preview(bytes: Uint8Array, limit = PREVIEW_BYTES, totalLength = bytes.length): string {
  const shown = bytes.subarray(0, limit);
  const rest = totalLength - shown.length;
  const body = looksLikeText(shown) ? `"${Array.from(shown, escapeByte).join('')}"` : `<${hex(shown)}>`;
  return rest > 0 ? `${body} … (${rest} more bytes)` : body;
}

/** Index of the first byte where the two differ, or -1 when they are equal. */
export function firstDifference(expected: Uint8Array, actual: Uint8Array): number {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (expected[i] !== actual[i]) return i;
  return expected.length === actual.length ? -1 : n;
}

export interface ByteDiff {
  /** Offset of the first differing byte in the whole stream. */
  offset: number;
  expected: string;
  actual: string;
  /** Column of the first differing byte in both renderings, counted in characters. */
  caret: number;
}

/**
 * A window around the first difference, both sides escaped the same way so a caret
 * can point at the byte that is wrong. Returns undefined when the buffers are equal.
 */
export function diffBytes(expected: Uint8Array, actual: Uint8Array, context = 24): ByteDiff | undefined {
  const offset = firstDifference(expected, actual);
  if (offset < 0) return undefined;
  const start = Math.max(0, offset - context);
  const text = looksLikeText(expected.subarray(start, offset + context)) && looksLikeText(actual.subarray(start, offset + context));
  const render = (b: number) => (text ? escapeByte(b) : b.toString(16).padStart(2, '0') + ' ');
  const side = (bytes: Uint8Array) => {
    const window = bytes.subarray(start, offset + context);
    const lead = start > 0 ? '…' : '';
    const tail = bytes.length > offset + context ? '…' : '';
    const shown = Array.from(window, render).join('');
    return window.length === 0 && bytes.length <= start ? `${lead}(ends here)` : `${lead}${shown}${tail}`;
  };
  // Both sides agree up to `offset`, so one caret column serves both.
  const caret = (start > 0 ? 1 : 0) + Array.from(expected.subarray(start, offset), render).join('').length;
  return { offset, expected: side(expected), actual: side(actual), caret };
}
