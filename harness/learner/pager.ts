// Shows long text one screen at a time on a terminal, like `less`, but built in: the same on
// Linux, macOS and Windows, with no pager program to find or to kill. Text that fits, or
// output that is not a terminal, is simply printed.

import type { KeySource } from './keys.ts';
import { hardWrap } from './text-wrap.ts';
import { Viewport } from './viewport.ts';

export interface PagerScreen {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

const ALTERNATE_SCREEN_ON = '\x1b[?1049h\x1b[?25l';
const ALTERNATE_SCREEN_OFF = '\x1b[?25h\x1b[?1049l';

/**
 * Resolves when the learner leaves the pager (q, Escape, Ctrl+C) or `signal` aborts (the
 * program is quitting: the terminal gets its normal screen back), or at once when no paging is needed.
 */
export function page(text: string, screen: PagerScreen, keys: KeySource | undefined, signal?: AbortSignal): Promise<void> {
  const columns = () => screen.columns || 80;
  const height = () => Math.max(1, (screen.rows || 24) - 1);
  const fits = () => text.split('\n').flatMap((line) => hardWrap(line, columns())).length <= height();
  if (!keys || !screen.rows || fits()) {
    screen.write(`${text}\n`);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const view = new Viewport();
    const draw = () => {
      view.setText(text, columns(), height());
      const status = ` ${view.where(height())} · space/↓ more · b/↑ back · q quit `;
      screen.write(`\x1b[H\x1b[2J${view.window(height()).join('\n')}\n\x1b[7m${status.slice(0, columns() - 1)}\x1b[0m`);
    };
    const leave = () => {
      release();
      screen.off?.('resize', draw);
      signal?.removeEventListener('abort', leave);
      screen.write(ALTERNATE_SCREEN_OFF);
      resolve();
    };
    const release = keys.take((key) => {
      if (key === 'q' || key === 'Q' || key === 'escape' || key === 'ctrl-c') leave();
      else if (view.scroll(key, height())) draw();
    });
    screen.on?.('resize', draw);
    signal?.addEventListener('abort', leave, { once: true });
    screen.write(ALTERNATE_SCREEN_ON);
    draw();
  });
}
