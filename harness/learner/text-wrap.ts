// Measuring and wrapping text that may hold colour codes, for the docs renderer, the
// tables and the pager. Widths count UTF-16 code units outside escape sequences: close
// enough for the kit's docs (no wide CJK text), and free of extra dependencies.

// SGR colour codes and OSC 8 hyperlinks: the escape sequences our own renderers emit.
const ESCAPES = /\x1b\[[0-9;]*m|\x1b\]8;[^\x07\x1b]*(?:\x07|\x1b\\)/g;
const ESCAPE_AT_START = /^(?:\x1b\[[0-9;]*m|\x1b\]8;[^\x07\x1b]*(?:\x07|\x1b\\))/;

export const stripAnsi = (text: string) => text.replace(ESCAPES, '');
export const visibleLength = (text: string) => stripAnsi(text).length;

/** Cuts one line into pieces of at most `width` visible characters, escape sequences kept whole. */
export function hardWrap(line: string, width: number): string[] {
  if (width < 1 || visibleLength(line) <= width) return [line];
  const pieces: string[] = [];
  let piece = '';
  let count = 0;
  for (let i = 0; i < line.length; ) {
    const escape = ESCAPE_AT_START.exec(line.slice(i))?.[0];
    if (escape) {
      piece += escape;
      i += escape.length;
      continue;
    }
    if (count === width) {
      pieces.push(piece);
      piece = '';
      count = 0;
    }
    piece += line[i];
    count++;
    i++;
  }
  pieces.push(piece);
  return pieces;
}

/** Wraps running text at spaces to `width`; a word longer than a line is cut. */
export function wordWrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (visibleLength(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    const cut = hardWrap(word, width);
    line = cut.pop()!;
    lines.push(...cut);
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

export const padVisible = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - visibleLength(text)));
