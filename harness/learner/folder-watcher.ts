// Notices when the learner saves a file of their lab folder, whatever their editor does:
// write in place, write a temporary file and rename it over the original, or keep swap and
// backup files beside it. File events (fs.watch) make it quick; a slow check of the folder
// runs alongside, and when it finds a change no event announced (network folders, some WSL
// setups), the watcher stops trusting events and polls instead, and says so.

import { createHash } from 'node:crypto';
import { watch as fsWatch, readdirSync, readFileSync, statSync, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface FolderWatcherOptions {
  dir: string;
  /** Called with the files (relative to `dir`) that changed, appeared or disappeared. */
  onChange(files: string[]): void;
  /** Something the learner should know: events do not arrive, so polling took over. */
  onNotice(message: string): void;
  /** How often the folder is checked while file events are trusted. */
  checkEveryMs?: number;
  /** How often the folder is checked once polling has taken over. */
  pollEveryMs?: number;
  /** How long an event may lag behind a change found by checking before events count as broken. */
  eventGraceMs?: number;
  /** Quiet time after the last event before looking: an editor's save is several events. */
  settleMs?: number;
  /** fs.watch, replaceable in tests by one whose events never arrive. */
  watch?: (dir: string, options: { recursive?: boolean }, listener: (event: string, file: string | null) => void) => FSWatcher;
}

/** Editors' temporary, swap, lock and backup files: never a save of the learner's code. */
const EDITOR_NOISE = [/^\.#/, /^#.*#$/, /~$/, /\.sw[a-p]x?$/i, /^4913$/, /\.te?mp$/i, /\.crswap$/i, /\.bak$/i, /\.orig$/i, /^\.DS_Store$/];
const isNoise = (name: string) => EDITOR_NOISE.some((pattern) => pattern.test(name));

type Snapshot = Map<string, string>;

export class FolderWatcher {
  mode: 'events' | 'polling' = 'events';
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private grace: NodeJS.Timeout | undefined;
  private snapshot: Snapshot;
  private lastEventAt = -Infinity;
  private lastCheckAt = performance.now();
  private closed = false;
  private readonly o: Required<FolderWatcherOptions>;

  constructor(options: FolderWatcherOptions) {
    this.o = { checkEveryMs: 1000, pollEveryMs: 500, eventGraceMs: 2000, settleMs: 100, watch: fsWatch, ...options };
    this.snapshot = takeSnapshot(this.o.dir);
    try {
      this.watcher = this.startEvents();
    } catch (err) {
      this.fallBack(`file events are not available here (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return;
    }
    this.timer = setInterval(() => this.check('poll'), this.o.checkEveryMs);
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.settle);
    clearTimeout(this.grace);
  }

  private startEvents(): FSWatcher {
    const listener = (_event: string, file: string | null) => {
      this.lastEventAt = performance.now();
      // Noise still proves events arrive; only a real file is worth a look, once things settle.
      if (file && isNoise(path.basename(file))) return;
      clearTimeout(this.settle);
      this.settle = setTimeout(() => this.check('event'), this.o.settleMs);
    };
    let watcher: FSWatcher;
    try {
      watcher = this.o.watch(this.o.dir, { recursive: true }, listener);
    } catch (err) {
      // Recursive watching is missing on some platforms and Node versions; lab folders are flat anyway.
      if ((err as NodeJS.ErrnoException).code !== 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM') throw err;
      watcher = this.o.watch(this.o.dir, {}, listener);
    }
    watcher.on('error', (err: NodeJS.ErrnoException) => this.fallBack(`file events stopped (${err.code ?? err.message})`));
    return watcher;
  }

  private check(source: 'event' | 'poll'): void {
    if (this.closed) return;
    const previousCheckAt = this.lastCheckAt;
    this.lastCheckAt = performance.now();
    const next = takeSnapshot(this.o.dir);
    const changed = differences(this.snapshot, next);
    this.snapshot = next;
    if (!changed.length) return;
    this.o.onChange(changed);
    if (source === 'poll' && this.mode === 'events' && this.lastEventAt < previousCheckAt) {
      // A change that no event announced, yet. Give a late event a moment before concluding.
      clearTimeout(this.grace);
      this.grace = setTimeout(() => {
        if (this.mode === 'events' && this.lastEventAt < previousCheckAt) this.fallBack('file-change events are not arriving from this folder');
      }, this.o.eventGraceMs);
    }
  }

  private fallBack(why: string): void {
    if (this.closed || this.mode === 'polling') return;
    this.mode = 'polling';
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.timer);
    this.timer = setInterval(() => this.check('poll'), this.o.pollEveryMs);
    this.o.onNotice(
      `Note: ${why} (common on network folders and some WSL setups), so the folder is now checked every ${this.o.pollEveryMs / 1000} s instead.`,
    );
  }
}

/** Every file of the folder (subfolders too, but not node_modules or hidden ones) → size, time and content hash. */
function takeSnapshot(dir: string, prefix = '', depth = 0): Snapshot {
  const snapshot: Snapshot = new Map();
  let entries;
  try {
    entries = readdirSync(path.join(dir, prefix), { withFileTypes: true });
  } catch {
    return snapshot; // The folder vanished (being replaced, or deleted): nothing to compare yet.
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || isNoise(entry.name)) continue;
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && depth < 3) for (const [file, sign] of takeSnapshot(dir, relative, depth + 1)) snapshot.set(file, sign);
      continue;
    }
    if (!entry.isFile()) continue;
    try {
      const full = path.join(dir, relative);
      const { size, mtimeMs } = statSync(full);
      // The hash catches a change within one timestamp tick; the time catches a save without changes.
      snapshot.set(relative, `${size}:${mtimeMs}:${createHash('sha1').update(readFileSync(full)).digest('hex')}`);
    } catch {
      // Deleted between listing and reading: the next look sees it gone.
    }
  }
  return snapshot;
}

function differences(before: Snapshot, after: Snapshot): string[] {
  const changed = [...after].filter(([file, sign]) => before.get(file) !== sign).map(([file]) => file);
  const removed = [...before.keys()].filter((file) => !after.has(file));
  return [...changed, ...removed].sort();
}
