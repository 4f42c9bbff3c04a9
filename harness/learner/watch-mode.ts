// `npm run lab N watch`: runs the lab, then again every time a file of the lab folder is
// saved, and answers single keys: h the next hint, d the guide, r run again, q quit.
// A save during a run stops that run (its processes are killed) and starts a fresh one.
// At a terminal each run gets a clean screen; in a pipe, runs follow each other.

import path from 'node:path';
import { repoRoot, type Lab } from '../manifest.ts';
import { formatLabResult } from '../report/format.ts';
import type { Style } from '../report/style.ts';
import type { LabResult } from '../runner/results.ts';
import { runLab, type RunOptions } from '../runner/run-lab.ts';
import { beforeClosingLine, recordAndAdvise } from './after-run.ts';
import { renderGuide } from './docs-view.ts';
import { FolderWatcher, type FolderWatcherOptions } from './folder-watcher.ts';
import { findGuide, guideExists } from './guides.ts';
import { nextHint } from './hint-giver.ts';
import { formatHint } from './hint-view.ts';
import type { KeySource } from './keys.ts';
import { page, type PagerScreen } from './pager.ts';
import type { ProgressStore } from './progress-store.ts';

export interface WatchOptions {
  lab: Lab;
  target: string;
  /** The learner's own labs/ tree: runs are recorded in the progress file and followed by advice. */
  learnerTree: boolean;
  store: ProgressStore;
  style: Style;
  screen: PagerScreen;
  /** A terminal: clear the screen between runs, page the guide. */
  interactive: boolean;
  keys: KeySource;
  verbose?: boolean;
  /** Aborted from outside (a signal): leave as if q was pressed. */
  signal?: AbortSignal;
  /** The lab runner; tests pass a quick stand-in. */
  run?: (options: RunOptions) => Promise<LabResult>;
  watcher?: Pick<FolderWatcherOptions, 'checkEveryMs' | 'pollEveryMs' | 'eventGraceMs' | 'settleMs' | 'watch'>;
}

const CLEAR = '\x1b[2J\x1b[3J\x1b[H';

/** Resolves with the exit status (0) once the learner leaves and every run has stopped. */
export function watchLab(o: WatchOptions): Promise<number> {
  const { lab, style } = o;
  const { color } = style;
  const folder = path.join(o.target, lab.folder);
  const shownFolder = folder.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, folder) : folder;
  const run = o.run ?? runLab;

  let current: { controller: AbortController; done: Promise<void> } | undefined;
  let screen = '';
  let lastResult: LabResult | undefined;
  let runs = 0;
  let pagerOpen = false;
  let deferredRun: string | undefined;
  let quitting = false;
  const notices: string[] = [];

  const write = (text: string) => o.screen.write(text);
  const footer = () =>
    [...notices.map((n) => color.yellow(n)), color.dim(`Watching ${shownFolder}: save a file to run the tests again. Keys: h hint · d guide · r run again · q quit`)].join('\n');
  const show = () => {
    if (!pagerOpen) write(`${o.interactive ? CLEAR : ''}${screen}\n\n${footer()}\n`);
  };

  const startRun = (reason: string) => {
    if (quitting) return;
    if (pagerOpen) {
      deferredRun = reason;
      return;
    }
    current?.controller.abort();
    const controller = new AbortController();
    runs++;
    const heading = o.interactive ? '' : `\n${color.dim(`── run ${runs} ${'─'.repeat(50)}`)}\n`;
    screen = `${heading}${color.bold(`Running lab ${lab.number} (${lab.title}) against ${shownFolder} …`)}${reason ? color.dim(` (${reason})`) : ''}`;
    if (o.interactive) show();
    else write(`${screen}\n`);
    const done = run({ lab, target: o.target, signal: controller.signal })
      .then((result) => {
        if (controller.signal.aborted) return; // Superseded by a newer save, or leaving.
        lastResult = result;
        const advice = o.learnerTree ? recordAndAdvise(result, { lab, store: o.store, style, askForHint: 'Press h' }) : [];
        screen = beforeClosingLine(formatLabResult(result, style, { verbose: o.verbose ?? false }), advice);
        show();
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        screen = color.red(`The run could not start: ${(err as Error).message}`);
        show();
      });
    current = { controller, done };
  };

  const giveHint = () => {
    if (!lastResult) {
      write(`${color.dim('The first run has not finished yet: press h again in a moment.')}\n`);
      return;
    }
    const failing = lastResult.scenarios.find((s) => s.status !== 'pass');
    try {
      const answer = nextHint(o.store, lab, { failing: failing ? failing.id : null });
      write(`\n${formatHint(answer, lab, { style, width: o.screen.columns ?? 80, again: 'press h again' })}\n`);
    } catch (err) {
      write(`${(err as Error).message}\n`);
    }
  };

  const openGuide = async () => {
    const guide = findGuide(String(lab.number));
    if (!guide || !guideExists(guide)) {
      write(`The guide for lab ${lab.number} is not written yet.\n`);
      return;
    }
    pagerOpen = o.interactive;
    await page(renderGuide(guide, { color: color.level > 0, width: o.screen.columns ?? 80 }), o.screen, o.interactive ? o.keys : undefined);
    pagerOpen = false;
    if (!o.interactive) return;
    // Saves made while the guide was open run now; otherwise the last screen comes back.
    const reason = deferredRun;
    deferredRun = undefined;
    if (reason !== undefined) startRun(reason);
    else show();
  };

  return new Promise((resolve) => {
    const watcher = new FolderWatcher({
      ...o.watcher,
      dir: folder,
      onChange: (files) => startRun(`${files.join(', ')} changed`),
      onNotice: (message) => {
        notices.push(message);
        if (o.interactive) show();
        else write(`${color.yellow(message)}\n`);
      },
    });

    const quit = async () => {
      if (quitting) return;
      quitting = true;
      release();
      watcher.close();
      current?.controller.abort();
      await current?.done; // The runner has killed every process it started.
      write(`\nStopped watching lab ${lab.number}.\n`);
      resolve(0);
    };

    const release = o.keys.take((key) => {
      if (key === 'q' || key === 'Q' || key === 'ctrl-c') void quit();
      else if (key === 'r' || key === 'R') startRun('you pressed r');
      else if (key === 'h' || key === 'H') giveHint();
      else if (key === 'd' || key === 'D') void openGuide();
    });
    o.signal?.addEventListener('abort', () => void quit(), { once: true });
    if (o.signal?.aborted) void quit();
    else startRun('');
  });
}
