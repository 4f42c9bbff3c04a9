// The guides in the terminal: markdown rendered well (inline code in lists, code blocks,
// tables that fit, links), no escape codes without colour, the built-in pager driven by
// keys, `npm run docs`; and `npm run lab N plan` with the arguments of `npm run lab`.

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { within } from '../kit/failure.ts';
import { findLab, labs } from '../manifest.ts';
import { keysFrom } from '../learner/keys.ts';
import { renderMarkdown } from '../learner/markdown.ts';
import { page } from '../learner/pager.ts';
import { guideDescriptions } from '../learner/plan.ts';
import { parseLabCommand } from '../learner/lab-command.ts';
import { UsageError } from '../cli/usage-error.ts';
import { layoutTable } from '../learner/text-table.ts';
import { stripAnsi, visibleLength } from '../learner/text-wrap.ts';
import { cli, expectUsageError } from './learner-helpers.ts';

const sample = [
  '# Title',
  '',
  'A paragraph with **bold** and `code`, long enough to need wrapping at forty columns for sure.',
  '',
  '- an item with `inline code` and **strong words** inside it, also long enough to wrap',
  '- see [the protocol](protocol.md) and [a site](https://example.org)',
  '',
  '```ts',
  "const server = net.createServer((socket) => socket.pipe(socket));",
  '```',
  '',
  '| scenario | what the harness does |',
  '|---|---|',
  '| `echo-text` | connects, sends one line of text, and waits for the same bytes back, which takes some words |',
].join('\n');

describe('markdown for the terminal', () => {
  const guideCommand = (href: string) => (href === 'protocol.md' ? 'npm run docs protocol' : undefined);

  test('without colour: no escape codes, code still marked with backticks, no raw markdown in list items', () => {
    const text = renderMarkdown(sample, { color: false, width: 40, guideCommand });
    expect(text).not.toMatch(/\x1b/);
    expect(text).toContain('`inline code`');
    expect(text).not.toContain('**');
    expect(text).toContain('strong words');
    expect(text).toContain('\n  const server = net.createServer');
  });

  test('lines are wrapped to the width, except code, which is never broken', () => {
    const lines = renderMarkdown(sample, { color: false, width: 40, guideCommand }).split('\n');
    for (const line of lines.filter((l) => !l.includes('createServer'))) expect(visibleLength(line), line).toBeLessThanOrEqual(40);
  });

  test('a table fits the width, its cells wrapped, every row aligned on the separator', () => {
    const lines = renderMarkdown(sample, { color: false, width: 40, guideCommand }).split('\n');
    const table = lines.filter((line) => line.includes(' | ') || line.includes('-+-'));
    expect(table.length).toBeGreaterThan(3);
    const column = table[0]!.indexOf(' | ');
    for (const line of table) {
      expect(visibleLength(line)).toBeLessThanOrEqual(40);
      expect(line.indexOf(line.includes('-+-') ? '-+-' : ' | '), line).toBe(column);
    }
  });

  test('a link to another guide says how to open it here; a web link shows its address', () => {
    const text = renderMarkdown(sample, { color: false, width: 80, guideCommand });
    expect(text).toContain('the protocol (npm run docs protocol)');
    expect(text).toContain('a site (https://example.org)');
  });

  test('with colour: the same words, styled', () => {
    const text = renderMarkdown(sample, { color: true, width: 40, guideCommand });
    expect(text).toMatch(/\x1b\[/);
    expect(stripAnsi(text)).toContain('inline code');
    expect(stripAnsi(text)).not.toContain('**');
  });

  test('table columns share the room: narrow ones keep their width, the widest wraps', () => {
    const lines = layoutTable(['id', 'words'], [['a', 'one two three four five six seven eight nine ten']], 20, { fancy: false });
    expect(lines[0]).toMatch(/^id \| words/);
    expect(lines.slice(2).every((line) => visibleLength(line) <= 20)).toBe(true);
    expect(lines.slice(2).join(' ').replace(/[|\s]+/g, ' ').trim()).toBe('a one two three four five six seven eight nine ten');
  });
});

/** A fake terminal screen: what was written, and its size. */
class FakeScreen extends EventEmitter {
  written = '';
  constructor(
    public columns: number,
    public rows: number,
  ) {
    super();
  }
  write(text: string) {
    this.written += text;
    this.emit('written');
    return true;
  }
}

describe('the pager', () => {
  const text = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n');

  test('shows one screen at a time; space goes on, b goes back, q leaves the alternate screen', async () => {
    const input = new PassThrough();
    const keys = keysFrom(input);
    const screen = new FakeScreen(40, 10);
    try {
      const paging = page(text, screen, keys);
      expect(screen.written).toContain('\x1b[?1049h');
      expect(screen.written).toContain('line 9');
      expect(screen.written).not.toContain('line 10\n');
      expect(screen.written).toMatch(/lines 1-9 of 50/);

      screen.written = '';
      input.write(' ');
      expect(screen.written).toMatch(/lines 10-18 of 50/);
      expect(screen.written).toContain('line 18');
      input.write('G');
      expect(screen.written).toMatch(/lines 42-50 of 50 \(end\)/);
      input.write('b');
      expect(screen.written).toMatch(/lines 33-41 of 50/);
      input.write('q');
      await paging;
      expect(screen.written.endsWith('\x1b[?1049l')).toBe(true);
      // Keys after leaving belong to nobody: the pager does not draw again.
      const after = screen.written;
      input.write(' ');
      expect(screen.written).toBe(after);
    } finally {
      keys.close();
    }
  });

  test('a program that quits while the pager is open gets the normal screen back', async () => {
    const keys = keysFrom(new PassThrough());
    const screen = new FakeScreen(40, 10);
    const quitting = new AbortController();
    try {
      const paging = page(text, screen, keys, quitting.signal);
      expect(screen.written).toContain('\x1b[?1049h');
      quitting.abort();
      await within(5000, 'the pager to close', paging);
      expect(screen.written.endsWith('\x1b[?1049l')).toBe(true);
    } finally {
      keys.close();
    }
  });

  test('text that fits, or no keys (not a terminal), is printed as it is', async () => {
    const screen = new FakeScreen(40, 100);
    await page(text, screen, keysFrom(new PassThrough()));
    expect(screen.written).toBe(`${text}\n`);
    const piped = new FakeScreen(40, 10);
    await page(text, piped, undefined);
    expect(piped.written).toBe(`${text}\n`);
  });

  test('long lines count as the rows they take on screen', async () => {
    const input = new PassThrough();
    const keys = keysFrom(input);
    const screen = new FakeScreen(30, 5);
    try {
      const paging = page('x'.repeat(150), screen, keys);
      expect(screen.written).toMatch(/lines 1-4 of 5/);
      input.write('q');
      await paging;
    } finally {
      keys.close();
    }
  });
});

describe('npm run docs', () => {
  test('with no argument, lists every lab of the manifest and the other pages, in plain text when piped', async () => {
    const run = await cli('docs', []);
    expect(run.code).toBe(0);
    for (const lab of labs) expect(run.stdout).toContain(`npm run docs ${lab.number}\`: Lab ${lab.number}: ${lab.title}`);
    expect(run.stdout).toContain('npm run docs protocol');
    expect(run.stdout).not.toMatch(/\x1b/);
  });

  test('a lab\'s guide, rendered: headings, code, and the table of scenarios', async () => {
    const run = await cli('docs', ['echo']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# Lab 1/);
    expect(run.stdout).toContain('  node --import tsx labs/01-echo/server.ts 8080');
    expect(run.stdout).toMatch(/`echo-text`\s+\| connects/);
    expect(run.stdout).toContain('(npm run docs protocol)');
    expect(run.stdout).not.toMatch(/\x1b/);
  });

  test.each([
    [['nope'], /there is no guide "nope"; the guides are 1, 2/],
    [['1', '2'], /one guide at a time/],
  ])('usage error %j: one line, exit status 2', async (args, message) => {
    const run = await cli('docs', args);
    expectUsageError(run, message);
  });
});

describe('npm run lab N plan', () => {
  test('lists every scenario, in order, in the guide\'s plain words, and runs nothing', async () => {
    const echo = findLab('echo')!;
    const described = guideDescriptions(echo);
    expect(described.size).toBe(echo.scenarios.length);
    const run = await cli('lab', ['1', 'plan']);
    expect(run.code).toBe(0);
    const positions = echo.scenarios.map((s) => run.stdout.indexOf(`. ${s.id}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const flat = run.stdout.replace(/\s+/g, ' ');
    for (const words of described.values()) expect(flat).toContain(words.replace(/\s+/g, ' '));
    expect(run.stdout).not.toMatch(/passed|failed/);
  });
});

describe('the arguments of npm run lab', () => {
  const echo = findLab('echo')!;
  const noNpm = {};

  test('a mode is a plain word or an option, before or after the lab', () => {
    for (const args of [['1', 'plan'], ['plan', 'echo'], ['--plan', '01-echo'], ['echo', '--plan']]) {
      expect(parseLabCommand(args, noNpm), args.join(' ')).toMatchObject({ lab: echo, mode: 'plan' });
    }
    expect(parseLabCommand(['1', 'watch', '--target', 'solutions'], noNpm)).toMatchObject({ lab: echo, mode: 'watch', target: 'solutions' });
    expect(parseLabCommand(['1'], noNpm).mode).toBeUndefined();
    expect(parseLabCommand([], noNpm).lab).toBeUndefined();
  });

  test('`npm run lab 1 --watch`, whose --watch npm keeps, still watches: npm passes it on as npm_config_watch', () => {
    expect(parseLabCommand(['1'], { npm_lifecycle_event: 'lab', npm_config_watch: 'true' }).mode).toBe('watch');
    expect(parseLabCommand(['1'], { npm_lifecycle_event: 'lab', npm_config_replay: 'true' }).mode).toBe('replay');
    // Inherited by the children of another script (npm test --watch), it means nothing here.
    expect(parseLabCommand(['1'], { npm_lifecycle_event: 'test', npm_config_watch: 'true' }).mode).toBeUndefined();
  });

  test.each([
    [['1', 'plan', 'watch'], /choose one of watch, replay and plan, got: plan, watch/],
    [['1', '--replay', 'watch'], /choose one of watch, replay and plan/],
    [['watch'], /watch needs a lab, for example: npm run lab 1 watch/],
    [['1', 'watch', '--json'], /--json .* does not go with watch/],
    [['1', '2'], /one lab at a time, got: 1 2/],
    [['99'], /there is no lab "99"; the labs are 1 \(echo\), 2/],
  ])('%j is a usage error', (args, message) => {
    expect(() => parseLabCommand(args, noNpm)).toThrow(UsageError);
    expect(() => parseLabCommand(args, noNpm)).toThrow(message);
  });

  test('a usage error reaches the learner as one line and exit status 2', async () => {
    expectUsageError(await cli('lab', ['watch']), /watch needs a lab/);
  });
});
