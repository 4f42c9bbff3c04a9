// `npm run lab` with no lab: at a terminal, a menu of the labs with their status and the next
// unfinished one preselected, then what to do with it; without one, the list and usage.
// Driven through injected streams, and on Linux once through a real pseudo-terminal.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { kitCommand } from '../cli/kit-command.ts';
import { within } from '../kit/failure.ts';
import { findLab, labs, repoRoot } from '../manifest.ts';
import { plainStyle } from '../report/style.ts';
import { statusOf } from '../learner/lab-status.ts';
import { ProgressStore, recordRun } from '../learner/progress-store.ts';
import { chooseAction, chooseLab, isPromptCancel } from '../learner/prompts.ts';
import { stripAnsi } from '../learner/text-wrap.ts';
import { cannedResult, cli, noProcessLeft, tempStateDir, waitForOutput } from './learner-helpers.ts';

const echo = findLab('echo')!;
const second = labs[1]!;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function progressWith(record: (store: ProgressStore) => void) {
  const dir = tempStateDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = new ProgressStore(path.join(dir, 'progress.json'));
  record(store);
  return { store, dir };
}

/** A terminal made of streams: keys go in, the drawn screen comes out. */
function fakeTerminal() {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => {} });
  let screen = '';
  const output = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        screen += chunk.toString();
        output.emit('data');
        done();
      },
    }),
    { isTTY: true, columns: 100, rows: 30 },
  );
  const shows = (text: string) => waitForOutput(output as unknown as NodeJS.ReadableStream, () => stripAnsi(screen), (s) => s.includes(text), `the prompt to show "${text}"`, 10_000);
  return { context: { input, output }, type: (keys: string) => input.write(keys), shows, screen: () => stripAnsi(screen) };
}

const DOWN = '\x1b[B';
const ENTER = '\r';

describe('the menu', () => {
  test('shows every lab with its status and preselects the first one not passed', async () => {
    const { store } = progressWith((s) => {
      s.update((p) => recordRun(p, echo, cannedResult(echo)));
      s.update((p) => recordRun(p, second, cannedResult(second, second.scenarios.slice(0, 2).map((x) => x.id))));
    });
    const terminal = fakeTerminal();
    const choice = chooseLab(store.load(), plainStyle, terminal.context);
    await terminal.shows('Which lab?');
    expect(terminal.screen()).toMatch(/1 {2}Echo server\s+passed/);
    expect(terminal.screen()).toMatch(new RegExp(`❯\\s+2 {2}${second.title}\\s+failing 2 of ${second.scenarios.length}`));
    for (const lab of labs.slice(2)) expect(terminal.screen()).toMatch(new RegExp(`${lab.number} {2}${lab.title}\\s+not started`));
    terminal.type(ENTER);
    expect(await within(5000, 'the chosen lab', choice)).toBe(second);
  });

  test('arrow keys move the choice', async () => {
    const { store } = progressWith(() => {});
    const terminal = fakeTerminal();
    const choice = chooseLab(store.load(), plainStyle, terminal.context);
    await terminal.shows('Which lab?');
    expect(terminal.screen()).toMatch(/❯\s+1 {2}Echo server/);
    terminal.type(DOWN);
    terminal.type(ENTER);
    expect(await within(5000, 'the chosen lab', choice)).toBe(second);
  });

  test('what to do next depends on the status: the guide first, a hint when failing, the solution once passed', async () => {
    const cases = [
      { failing: undefined, preselected: 'Read the guide', has: [], hasNot: ['hint', 'reference solution'] },
      { failing: ['echo-text'], preselected: 'Watch', has: ['Get a hint'], hasNot: ['reference solution'] },
      { failing: [], preselected: 'Watch', has: ['Compare your code with the reference solution'], hasNot: ['hint'] },
    ];
    for (const c of cases) {
      const { store } = progressWith((s) => c.failing && s.update((p) => recordRun(p, echo, cannedResult(echo, c.failing))));
      const terminal = fakeTerminal();
      const action = chooseAction(echo, statusOf(store.load(), echo), terminal.context);
      await terminal.shows('what now?');
      expect(terminal.screen()).toMatch(new RegExp(`❯ ${c.preselected}`));
      for (const text of c.has) expect(terminal.screen()).toContain(text);
      for (const text of c.hasNot) expect(terminal.screen()).not.toContain(text);
      terminal.type(ENTER);
      expect(await within(5000, 'the chosen action', action)).toBe(c.failing === undefined ? 'docs' : 'watch');
    }
  });

  test('Ctrl+C leaves the menu as a cancellation, not a crash', async () => {
    const { store } = progressWith(() => {});
    const terminal = fakeTerminal();
    const choice = chooseLab(store.load(), plainStyle, terminal.context);
    await terminal.shows('Which lab?');
    terminal.type('\x03');
    const err = await within(5000, 'the menu to give up', choice.then(() => undefined, (e: unknown) => e));
    expect(isPromptCancel(err)).toBe(true);
  });
});

test('without a terminal, npm run lab lists the labs with their status and the usage, and asks nothing', async () => {
  const { dir } = progressWith((s) => s.update((p) => recordRun(p, echo, cannedResult(echo, ['echo-text']))));
  const run = await cli('lab', [], { stateDir: dir });
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/1 {2}Echo server\s+failing 1 of 7/);
  for (const lab of labs.slice(1)) expect(run.stdout).toMatch(new RegExp(`${lab.number} {2}${lab.title}\\s+not started`));
  expect(run.stdout).toContain('usage: npm run lab');
  expect(run.stdout).not.toContain('Which lab?');
});

// A real pseudo-terminal through util-linux `script`, as a learner's terminal: raw keys, no Enter.
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

function inTerminal(args: string[], stateDir: string, program = 'lab') {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, ...kitCommand(program, args)].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { ...process.env, SOCKETLAB_STATE_DIR: stateDir, TERM: 'xterm', COLUMNS: '100', LINES: '30' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d));
  const shows = (text: string, ms = 30_000) => waitForOutput(child.stdout, () => stripAnsi(screen), (s) => s.includes(text), `the terminal to show "${text}"`, ms);
  const exited = within(90_000, 'the program in the terminal to end', new Promise<number | null>((resolve) => child.on('close', resolve)));
  cleanups.push(() => child.kill('SIGKILL'));
  return { type: (keys: string) => child.stdin.write(keys), shows, exited, screen: () => stripAnsi(screen) };
}

describe.runIf(hasScript)('in a real terminal', () => {
  test('npm run lab opens the menu; choosing lab 1 and its plan prints the plan', async () => {
    const { dir } = progressWith(() => {});
    const term = inTerminal([], dir);
    await term.shows('Which lab?');
    term.type(ENTER);
    await term.shows('what now?');
    term.type(DOWN); // From "Read the guide" (preselected for a lab not started) to the plan.
    term.type(ENTER);
    await term.shows('what the tests will do');
    expect(await term.exited).toBe(0);
    for (const scenario of echo.scenarios) expect(term.screen()).toContain(scenario.id);
  });

  test('reset and solution ask first; answering no changes nothing', async () => {
    const { dir } = progressWith(() => {});
    const stub = path.join(repoRoot, 'labs', echo.folder, 'server.ts');
    const before = readFileSync(stub, 'utf8');
    const reset = inTerminal(['1'], dir, 'reset');
    await reset.shows('Reset lab 1 (Echo server) to the stub?');
    reset.type('n');
    reset.type(ENTER);
    expect(await reset.exited).toBe(0);
    expect(reset.screen()).toContain('Nothing was changed.');
    expect(readFileSync(stub, 'utf8')).toBe(before);

    const solution = inTerminal(['1'], dir, 'solution');
    await solution.shows('Lab 1 has not passed yet');
    solution.type('n');
    solution.type(ENTER);
    expect(await solution.exited).toBe(0);
    expect(solution.screen()).toContain('Good call. A smaller step: npm run hint 1.');
    expect(solution.screen()).not.toContain('+++ solutions');
  });

  test('watch mode takes single keys: q quits at once, leaving nothing running', async () => {
    const tree = mkdtempSync(path.join(os.tmpdir(), 'socketlab-pty-'));
    cleanups.push(() => rmSync(tree, { recursive: true, force: true }));
    mkdirSync(path.join(tree, echo.folder));
    copyFileSync(path.join(repoRoot, 'solutions', echo.folder, 'server.ts'), path.join(tree, echo.folder, 'server.ts'));
    const { dir } = progressWith(() => {});
    const term = inTerminal(['1', 'watch', '--target', tree], dir);
    await term.shows(`${echo.scenarios.length} passed, 0 failed`, 60_000);
    await term.shows('q quit');
    term.type('q');
    expect(await term.exited).toBe(0);
    expect(term.screen()).toContain('Stopped watching lab 1.');
    await noProcessLeft(tree);
  });
});
