// What a class run shows while it works. On a terminal: one bar, redrawn in place, with who
// is being graded and the time so far. Anywhere else (a pipe, CI, a log file): one plain line
// per finished submission, so a log shows progress without control characters.

import type { Style } from '../report/style.ts';
import type { GradebookRow } from './grade-submission.ts';

export interface Progress {
  start(total: number): void;
  started(student: string): void;
  done(row: GradebookRow): void;
  finish(): void;
}

const BAR_WIDTH = 24;

export function progressOn(stream: NodeJS.WriteStream, style: Style): Progress {
  // The bar redraws with control sequences a dumb terminal would print as garbage.
  return stream.isTTY && process.env.TERM !== 'dumb' ? new Bar(stream, style) : new Lines(stream);
}

class Lines implements Progress {
  private total = 0;
  private count = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  start(total: number): void {
    this.total = total;
  }
  started(): void {}
  done(row: GradebookRow): void {
    this.count++;
    this.stream.write(`[${this.count}/${this.total}] ${describe(row)}\n`);
  }
  finish(): void {}
}

class Bar implements Progress {
  private total = 0;
  private count = 0;
  private readonly running = new Set<string>();
  private readonly startedAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly style: Style,
  ) {}
  start(total: number): void {
    this.total = total;
    // Redraw every second so the clock moves while a slow submission runs.
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
    this.draw();
  }
  started(student: string): void {
    this.running.add(student);
    this.draw();
  }
  done(row: GradebookRow): void {
    this.running.delete(row.student);
    this.count++;
    if (row.status !== 'graded') this.print(`${this.style.color.yellow('!')} ${describe(row)}`);
    this.draw();
  }
  finish(): void {
    clearInterval(this.timer);
    this.stream.write('\r\x1b[2K');
  }
  private print(line: string): void {
    this.stream.write(`\r\x1b[2K${line}\n`);
  }
  private draw(): void {
    const filled = this.total ? Math.round((this.count / this.total) * BAR_WIDTH) : 0;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const seconds = Math.round((performance.now() - this.startedAt) / 1000);
    const clock = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    const who = [...this.running].join(', ');
    const line = `${bar} ${this.count}/${this.total} done · ${clock}${who ? ` · grading ${who}` : ''}`;
    const width = this.stream.columns || 80;
    this.stream.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
  }
}

export function describe(row: GradebookRow): string {
  const score = `${row.points}/${row.possible} points, ${row.passed}/${row.passed + row.failed} scenarios`;
  const why = row.status === 'graded' ? '' : `: ${row.message?.split('\n')[0] ?? ''}`;
  return `${row.student}: ${row.status}${why} (${score}, ${(row.durationMs / 1000).toFixed(1)} s)`;
}
