// Watch mode: real saves (in place, and through a temporary file renamed over the original,
// with swap and backup files around) are noticed; when file events never arrive, polling
// takes over and says so; keys drive the loop; a save during a run stops that run; and
// the real CLI re-runs on a save and leaves nothing behind on q or Ctrl+C.

import { EventEmitter } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync, type FSWatcher } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { within } from '../kit/failure.ts';
import { findLab, repoRoot } from '../manifest.ts';
import { plainStyle } from '../report/style.ts';
import type { LabResult } from '../runner/results.ts';
import type { RunOptions } from '../runner/run-lab.ts';
import { FolderWatcher, type FolderWatcherOptions } from '../learner/folder-watcher.ts';
import { keysFrom } from '../learner/keys.ts';
import { labProgress, ProgressStore } from '../learner/progress-store.ts';
import { watchLab } from '../learner/watch-mode.ts';
import { cannedResult, cli, Inbox, noProcessLeft, tempStateDir, waitForOutput } from './learner-helpers.ts';
import { processesMentioning } from './leftovers.ts';

const echo = findLab('echo')!;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A lab tree in a temporary folder holding lab 1's folder with `server.ts` copied from `source`. */
function labTree(source = path.join(repoRoot, 'labs', echo.folder, 'server.ts')): { tree: string; folder: string; file: string } {
  const tree = mkdtempSync(path.join(os.tmpdir(), 'socketlab-watch-'));
  cleanups.push(() => rmSync(tree, { recursive: true, force: true }));
  const folder = path.join(tree, echo.folder);
  mkdirSync(folder);
  copyFileSync(source, path.join(folder, 'server.ts'));
  return { tree, folder, file: path.join(folder, 'server.ts') };
}

function watcher(dir: string, options: Partial<FolderWatcherOptions> = {}) {
  const changes = new Inbox<string[]>();
  const notices = new Inbox<string>();
  const w = new FolderWatcher({ dir, onChange: changes.push, onNotice: notices.push, settleMs: 50, ...options });
  cleanups.push(() => w.close());
  return { w, changes, notices };
}

/** An fs.watch whose events never arrive, as on a network folder. */
const silentWatch = () => Object.assign(new EventEmitter(), { close() {} }) as unknown as FSWatcher;

describe('noticing saves', () => {
  test('a file written in place is noticed through file events', async () => {
    const { folder, file } = labTree();
    // Checking only once a minute: only a file event can report this save in time.
    const { w, changes } = watcher(folder, { checkEveryMs: 60_000 });
    writeFileSync(file, '// edited\n');
    expect(await changes.next('the save of server.ts to be noticed')).toEqual(['server.ts']);
    expect(w.mode).toBe('events');
  });

  test('an editor\'s safe save (swap, backup, temporary file renamed over) is one change of server.ts', async () => {
    const { folder, file } = labTree();
    const { w, changes } = watcher(folder, { checkEveryMs: 60_000 });
    // What vim, Emacs and VS Code-style editors leave around while saving.
    writeFileSync(path.join(folder, '4913'), '');
    unlinkSync(path.join(folder, '4913'));
    writeFileSync(path.join(folder, '.server.ts.swp'), 'swap');
    writeFileSync(path.join(folder, 'server.ts~'), 'backup');
    writeFileSync(path.join(folder, '.#server.ts'), 'lock');
    writeFileSync(path.join(folder, 'server.ts.tmp'), '// saved safely\n');
    renameSync(path.join(folder, 'server.ts.tmp'), file);
    expect(await changes.next('the renamed save of server.ts to be noticed')).toEqual(['server.ts']);
    expect(w.mode).toBe('events');
  });

  test('when file events never arrive, checking finds the save, and polling takes over, saying so', async () => {
    const { folder, file } = labTree();
    const { w, changes, notices } = watcher(folder, { watch: silentWatch, checkEveryMs: 100, pollEveryMs: 100, eventGraceMs: 300 });
    writeFileSync(file, '// first save\n');
    expect(await changes.next('the first save to be found by checking the folder')).toEqual(['server.ts']);
    expect(await notices.next('the notice that polling took over')).toMatch(/file-change events are not arriving.*checked every 0\.1 s/);
    expect(w.mode).toBe('polling');
    writeFileSync(path.join(folder, 'notes.ts'), '// a new file\n');
    expect(await changes.next('a later save to be found by polling')).toEqual(['notes.ts']);
  });

  test('when file events cannot be set up at all, polling starts at once, saying why', async () => {
    const { folder, file } = labTree();
    const failing = () => {
      throw Object.assign(new Error('no watchers left'), { code: 'ENOSPC' });
    };
    const { w, changes, notices } = watcher(folder, { watch: failing, pollEveryMs: 100 });
    expect(await notices.next('the notice about file events')).toMatch(/not available here \(ENOSPC\)/);
    expect(w.mode).toBe('polling');
    writeFileSync(file, '// saved\n');
    expect(await changes.next('the save to be found by polling')).toEqual(['server.ts']);
  });
});

/** Watch mode in this process: keys typed into a stream, the screen collected, a stand-in runner. */
function watchSession(results: ((options: RunOptions) => Promise<LabResult>)[], terminal?: { rows: number; columns: number }) {
  const { tree, file } = labTree();
  const stateDir = tempStateDir();
  cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const store = new ProgressStore(path.join(stateDir, 'progress.json'));
  const input = new PassThrough();
  const keys = keysFrom(input);
  cleanups.push(() => keys.close());
  const output = new EventEmitter();
  let screen = '';
  const runs = new Inbox<RunOptions>();
  // A test that fails midway still leaves watch mode, before the folder it watches is removed.
  const leave = new AbortController();
  cleanups.push(() => leave.abort());
  const session = watchLab({
    signal: leave.signal,
    lab: echo,
    target: tree,
    learnerTree: true,
    store,
    style: plainStyle,
    interactive: Boolean(terminal),
    keys,
    screen: {
      columns: terminal?.columns ?? 100,
      rows: terminal?.rows ?? 0,
      write: (text: string) => {
        screen += text;
        output.emit('data');
        return true;
      },
    },
    run: (options) => {
      runs.push(options);
      const next = results.shift();
      if (!next) throw new Error('more runs than the test expected');
      return next(options);
    },
    watcher: { settleMs: 50 },
  });
  const shown = (text: string | RegExp, awaited: string) =>
    waitForOutput(output as unknown as NodeJS.ReadableStream, () => screen, (s) => (typeof text === 'string' ? s.includes(text) : text.test(s)), awaited, 10_000);
  /** At a terminal, what the latest full redraw shows. */
  const lastScreen = () => screen.slice(screen.lastIndexOf('\x1b[H') + 3);
  return { session, type: (key: string) => input.write(key), runs, shown, screen: () => screen, lastScreen, file, store };
}

describe('the watch loop', () => {
  test('runs at once, again on a save and on r; h climbs the hint ladder; q leaves with status 0', async () => {
    const w = watchSession([
      async () => cannedResult(echo, ['half-close']),
      async () => cannedResult(echo),
      async () => cannedResult(echo),
    ]);
    await w.runs.next('the first run');
    await w.shown('6 passed, 1 failed', 'the first run\'s results');
    await w.shown('Stuck on half-close? Press h for a hint (step 1 of 3)', 'the offer of a hint');

    w.type('h');
    await w.shown('Hint 1 of 3 for half-close', 'the first hint');
    w.type('h');
    await w.shown('Hint 2 of 3 for half-close', 'the second hint');
    expect(labProgress(w.store.load(), echo).hints).toEqual({ 'half-close': 2 });

    writeFileSync(w.file, '// fixed, presumably\n');
    await w.runs.next('a run after the save');
    await w.shown('(server.ts changed)', 'the reason of the second run');
    await w.shown('Lab 1 passed. Well done!', 'the congratulations');
    await w.shown('npm run solution 1', 'the offer to compare with the solution');

    w.type('r');
    await w.runs.next('a run after pressing r');
    await w.shown('(you pressed r)', 'the reason of the third run');

    w.type('q');
    expect(await within(10_000, 'watch mode to end after q', w.session)).toBe(0);
    expect(w.screen()).toContain('Stopped watching lab 1.');
    expect(labProgress(w.store.load(), echo).runs).toBe(3);
  });

  test('a save during a run stops that run and shows only the fresh one', async () => {
    let firstSignal: AbortSignal | undefined;
    const w = watchSession([
      // A run that would never end on its own: only its abort ends it.
      (options) => {
        firstSignal = options.signal;
        return new Promise((resolve) => options.signal!.addEventListener('abort', () => resolve(cannedResult(echo, ['echo-text', 'large-payload']))));
      },
      async () => cannedResult(echo),
    ]);
    await w.runs.next('the first run');
    writeFileSync(w.file, '// saved mid-run\n');
    await w.runs.next('the second run, started by the save');
    expect(firstSignal?.aborted).toBe(true);
    await w.shown(`${echo.scenarios.length} passed, 0 failed`, 'the second run\'s results');
    expect(w.screen()).not.toContain('failed, 2');
    expect(w.screen()).not.toMatch(/5 passed, 2 failed/);
    w.type('q');
    expect(await within(10_000, 'watch mode to end after q', w.session)).toBe(0);
  });

  test('at a terminal, results taller than the screen are seen from their top and scrolled by keys; a hint scrolls into view', async () => {
    const failing = echo.scenarios.map((s) => s.id);
    const w = watchSession([async () => cannedResult(echo, failing)], { rows: 12, columns: 120 });
    // The results are drawn once the run ends: the top of them, where the first failure is explained.
    await w.shown(/lines 1-\d+ of \d+ \(\d+%\)/, 'the results, with the scroll position');
    let last = w.lastScreen();
    expect(last.split('\n')[0]).toMatch(/^Lab 1 · Echo server/);
    // The keys line names the watched folder, so it may wrap (a long temporary folder, as on macOS).
    expect(last.replaceAll('\n', '')).toContain('saving runs the tests again · h hint · d guide · r run again · q quit');
    expect(last.split('\n').length).toBeLessThanOrEqual(12 + 1);
    w.type(' ');
    await w.shown(/lines (?!1-)\d+-\d+ of \d+/, 'the next screenful');
    last = w.lastScreen();
    expect(last.split('\n')[0]).not.toMatch(/^Lab 1 · Echo server/);
    w.type('g');
    w.type('h');
    await w.shown('Hint 1 of 3 for echo-text', 'the hint');
    expect(w.lastScreen()).toContain('More help: press h again for step 2 of 3.');
    w.type('q');
    expect(await within(10_000, 'watch mode to end after q', w.session)).toBe(0);
  });

  test('d shows the lab\'s guide, and Ctrl+C leaves like q', async () => {
    const w = watchSession([async () => cannedResult(echo, ['echo-text'])]);
    await w.shown('6 passed, 1 failed', 'the first run\'s results');
    w.type('d');
    await w.shown('# Lab 1: an echo server', 'the guide');
    w.type('\x03');
    expect(await within(10_000, 'watch mode to end after Ctrl+C', w.session)).toBe(0);
  });
});

describe('npm run lab N watch, for real', () => {
  test('re-runs when a file is saved, and q stops it with nothing left running', async () => {
    const { tree, file } = labTree(path.join(repoRoot, 'solutions', echo.folder, 'server.ts'));
    const run = cli('lab', ['1', 'watch', '--target', tree], {
      onStart: (child, output) => {
        void (async () => {
          await waitForOutput(child.stdout!, output.stdout, (s) => s.includes(`${echo.scenarios.length} passed, 0 failed`), 'the first run to pass', 45_000);
          // A save that breaks the program: it now exits at once.
          copyFileSync(path.join(repoRoot, 'harness', 'fixtures', echo.folder, 'exits-at-once', echo.folder, 'server.ts'), file);
          await waitForOutput(child.stdout!, output.stdout, (s) => s.includes(`0 passed, ${echo.scenarios.length} failed`), 'the run after the save', 45_000);
          child.stdin!.write('q');
        })().catch((err: Error) => {
          child.stdin!.end(`\n# test failed: ${err.message}\n`);
          child.kill('SIGKILL');
        });
      },
    });
    const result = await run;
    expect(result.stdout).toContain('(server.ts changed)');
    expect(result.stdout).toContain('Stopped watching lab 1.');
    expect(result.code).toBe(0);
    await noProcessLeft(tree);
  });

  test.runIf(process.platform !== 'win32')('Ctrl+C during a run stops it and leaves nothing running', async () => {
    const fixture = path.join(repoRoot, 'harness', 'fixtures', echo.folder, 'blocks-event-loop');
    const { tree } = labTree(path.join(fixture, echo.folder, 'server.ts'));
    const program = path.join(tree, echo.folder, 'server.ts');
    const result = await cli('lab', ['1', 'watch', '--target', tree], {
      onStart: (child) => {
        void within(30_000, 'a learner program to start', (async () => {
          while (processesMentioning(program).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
        })()).then(
          () => child.kill('SIGINT'),
          () => child.kill('SIGKILL'),
        );
      },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Stopped watching lab 1.');
    await noProcessLeft(program);
  });
});
