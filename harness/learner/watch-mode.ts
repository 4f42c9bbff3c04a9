// `npm run lab N watch`: runs the lab, then again every time a file of the lab folder is
// saved, and answers single keys: h the next hint, d the guide, r run again, q quit.
// A save during a run stops that run (its processes are killed) and starts a fresh one.
// At a terminal each run gets a clean screen, seen from its top (the first failure is the one
// explained in full) and scrolled with space and the arrows; in a pipe, runs follow each other.

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
import { hardWrap } from './text-wrap.ts';
import { Viewport } from './viewport.ts';

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
  /** What the screen shows: the run in progress or its results, then any hints asked since. */
  let body = '';
  let extras: string[] = [];
  let lastResult: LabResult | undefined;
  let runs = 0;
  let pagerOpen = false;
  let deferredRun: string | undefined;
  let hintWanted = false;
  let quitting = false;
  const notices: string[] = [];
  const view = new Viewport();
  /** Aborted when leaving, so that a guide open at that moment gives the screen back. */
  const leaving = new AbortController();

  const write = (text: string) => o.screen.write(text);
  const keysLine = () => color.dim(`Watching ${shownFolder}: saving runs the tests again · h hint · d guide · r run again · q quit`);

  /** At a terminal: the footer (notices, keys) at the bottom, and the room left for the results. */
  const layout = () => {
    const columns = o.screen.columns || 80;
    const footer = [...notices.map((n) => color.yellow(n)), keysLine()].flatMap((line) => hardWrap(line, columns));
    // One line for the scroll position above the footer.
    return { columns, footer, height: Math.max(3, (o.screen.rows || 24) - footer.length - 1) };
  };
  /** At a terminal: the whole screen again, from the viewport's top line. */
  const render = () => {
    if (!o.interactive || pagerOpen) return;
    const { columns, footer, height } = layout();
    view.setText([body, ...extras].join('\n\n'), columns, height);
    const scroll = view.overflows(height) ? color.dim(`${view.where(height)} · space/↓ more · b/↑ back`) : '';
    write(`${CLEAR}${view.window(height).join('\n')}\n${scroll}\n${footer.join('\n')}\n`);
  };
  /** Adds to the screen: below the results at a terminal (scrolled into view), as it comes in a pipe. */
  const add = (text: string) => {
    if (!o.interactive) {
      write(`\n${text}\n`);
      return;
    }
    extras.push(text);
    view.top = Number.MAX_SAFE_INTEGER; // setText brings it back to the last screenful.
    render();
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
    body = `${color.bold(`Running lab ${lab.number} (${lab.title}) against ${shownFolder} …`)}${reason ? color.dim(` (${reason})`) : ''}`;
    extras = [];
    view.top = 0;
    if (o.interactive) render();
    else write(`\n${color.dim(`── run ${runs} ${'─'.repeat(50)}`)}\n${body}\n`);
    const done = run({ lab, target: o.target, signal: controller.signal })
      .then((result) => {
        if (controller.signal.aborted) return; // Superseded by a newer save, or leaving.
        lastResult = result;
        const advice = o.learnerTree ? recordAndAdvise(result, { lab, store: o.store, style, askForHint: 'Press h' }) : [];
        body = beforeClosingLine(formatLabResult(result, style, { verbose: o.verbose ?? false }), advice);
        if (o.interactive) render();
        else write(`${body}\n\n${keysLine()}\n`);
        if (hintWanted) giveHint();
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        body = color.red(`The run could not start: ${(err as Error).message}`);
        if (o.interactive) render();
        else write(`${body}\n`);
      });
    current = { controller, done };
  };

  const hintComing = color.dim('The hint comes as soon as this first run has finished.');
  const giveHint = () => {
    hintWanted = !lastResult;
    if (hintWanted) {
      add(hintComing);
      return;
    }
    extras = extras.filter((text) => text !== hintComing);
    const failing = lastResult!.scenarios.find((s) => s.status !== 'pass');
    try {
      const answer = nextHint(o.store, lab, { failing: failing ? failing.id : null });
      add(formatHint(answer, lab, { style, width: o.screen.columns || 80, again: 'press h again' }));
    } catch (err) {
      add((err as Error).message);
    }
  };

  const openGuide = async () => {
    const guide = findGuide(String(lab.number));
    if (!guide || !guideExists(guide)) {
      add(`The guide for lab ${lab.number} is not written yet.`);
      return;
    }
    pagerOpen = o.interactive;
    await page(renderGuide(guide, { color: color.level > 0, width: o.screen.columns || 80 }), o.screen, o.interactive ? o.keys : undefined, leaving.signal);
    pagerOpen = false;
    if (!o.interactive || quitting) return;
    // Saves made while the guide was open run now; otherwise the last screen comes back.
    const reason = deferredRun;
    deferredRun = undefined;
    if (reason !== undefined) startRun(reason);
    else render();
  };

  return new Promise((resolve) => {
    const watcher = new FolderWatcher({
      ...o.watcher,
      dir: folder,
      onChange: (files) => startRun(`${files.join(', ')} changed`),
      onNotice: (message) => {
        notices.push(message);
        if (o.interactive) render();
        else write(`${color.yellow(message)}\n`);
      },
    });

    const quit = async () => {
      if (quitting) return;
      quitting = true;
      leaving.abort();
      release();
      o.screen.off?.('resize', onResize);
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
      else if (o.interactive && view.scroll(key, layout().height)) render();
    });
    const onResize = () => render();
    o.screen.on?.('resize', onResize);
    o.signal?.addEventListener('abort', () => void quit(), { once: true });
    if (o.signal?.aborted) void quit();
    else startRun('');
  });
}
