// A window onto text taller than the screen, moved by keys: the pager shows the guides
// through one, and watch mode its results, so the first failure (shown first) stays in
// reach on a small terminal instead of scrolling away.

import { hardWrap } from './text-wrap.ts';

export class Viewport {
  lines: string[] = [];
  top = 0;

  /** Lays `text` out in lines of `columns`; the view stays where it was when it still can. */
  setText(text: string, columns: number, height: number): void {
    this.lines = text.split('\n').flatMap((line) => hardWrap(line, columns));
    this.top = Math.min(this.top, this.lastTop(height));
  }

  lastTop(height: number): number {
    return Math.max(0, this.lines.length - height);
  }

  overflows(height: number): boolean {
    return this.lines.length > height;
  }

  window(height: number): string[] {
    return this.lines.slice(this.top, this.top + height);
  }

  /** "lines 1-29 of 65 (45%)" */
  where(height: number): string {
    const end = Math.min(this.lines.length, this.top + height);
    return `lines ${this.top + 1}-${end} of ${this.lines.length} (${end >= this.lines.length ? 'end' : `${Math.round((100 * end) / this.lines.length)}%`})`;
  }

  /** Moves for a scrolling key (space, b, arrows, page keys, g, G…); false for any other key. */
  scroll(key: string, height: number): boolean {
    const moves: Record<string, () => number> = {
      space: () => this.top + height,
      pagedown: () => this.top + height,
      f: () => this.top + height,
      b: () => this.top - height,
      pageup: () => this.top - height,
      down: () => this.top + 1,
      j: () => this.top + 1,
      return: () => this.top + 1,
      up: () => this.top - 1,
      k: () => this.top - 1,
      g: () => 0,
      home: () => 0,
      G: () => this.lastTop(height),
      end: () => this.lastTop(height),
    };
    const move = moves[key];
    if (!move) return false;
    this.top = Math.max(0, Math.min(this.lastTop(height), move()));
    return true;
  }
}
