// Shows long text one screen at a time on a terminal, like `less`, but built in: the same on
// Linux, macOS and Windows, with no pager program to find or to kill. Text that fits, or
// output that is not a terminal, is simply printed.

import type { KeySource } from './keys.ts';
import { hardWrap } from './text-wrap.ts';

export interface PagerScreen {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

const ALTERNATE_SCREEN_ON = '\x1b[?1049h\x1b[?25l';
const ALTERNATE_SCREEN_OFF = '\x1b[?25h\x1b[?1049l';

/** Resolves when the learner leaves the pager (q, Escape, Ctrl+C), or at once when no paging is needed. */
export function page(text: string, screen: PagerScreen, keys: KeySource | undefined): Promise<void> {
  const fits = () => text.split('\n').flatMap((line) => hardWrap(line, screen.columns ?? 80)).length < (screen.rows ?? 24);
  if (!keys || !screen.rows || fits()) {
    screen.write(`${text}\n`);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let lines: string[] = [];
    let top = 0;
    const height = () => Math.max(1, (screen.rows ?? 24) - 1);
    const lastTop = () => Math.max(0, lines.length - height());
    const layout = () => {
      lines = text.split('\n').flatMap((line) => hardWrap(line, screen.columns ?? 80));
      top = Math.min(top, lastTop());
    };
    const draw = () => {
      const shown = lines.slice(top, top + height());
      const end = Math.min(lines.length, top + height());
      const where = end >= lines.length ? 'end' : `${Math.round((100 * end) / lines.length)}%`;
      const status = ` lines ${top + 1}-${end} of ${lines.length} (${where}) · space/↓ more · b/↑ back · q quit `;
      screen.write(`\x1b[H\x1b[2J${shown.join('\n')}\n\x1b[7m${status.slice(0, (screen.columns ?? 80) - 1)}\x1b[0m`);
    };
    const moves: Record<string, () => number> = {
      space: () => top + height(),
      pagedown: () => top + height(),
      f: () => top + height(),
      b: () => top - height(),
      pageup: () => top - height(),
      down: () => top + 1,
      j: () => top + 1,
      return: () => top + 1,
      up: () => top - 1,
      k: () => top - 1,
      g: () => 0,
      home: () => 0,
      G: () => lastTop(),
      end: () => lastTop(),
    };
    const onResize = () => {
      layout();
      draw();
    };
    const release = keys.take((key) => {
      if (key === 'q' || key === 'Q' || key === 'escape' || key === 'ctrl-c') {
        release();
        screen.off?.('resize', onResize);
        screen.write(ALTERNATE_SCREEN_OFF);
        resolve();
        return;
      }
      const move = moves[key];
      if (!move) return;
      top = Math.max(0, Math.min(lastTop(), move()));
      draw();
    });
    screen.on?.('resize', onResize);
    screen.write(ALTERNATE_SCREEN_ON);
    layout();
    draw();
  });
}
