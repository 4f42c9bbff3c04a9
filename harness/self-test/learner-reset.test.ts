// `npm run reset` and `npm run solution`: the stub comes back from git with the learner's
// files backed up first (the upstream stub, not the learner's own commits); the solution is
// a correct diff, shown freely after a pass and only on confirmation before.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { findLab } from '../manifest.ts';
import { diffLines, unifiedHunks } from '../learner/line-diff.ts';
import { ProgressStore, recordRun } from '../learner/progress-store.ts';
import { ResetError, resetLab } from '../learner/reset-lab.ts';
import { cannedResult, cli, expectUsageError, tempStateDir } from './learner-helpers.ts';

const echo = findLab('echo')!;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const STUB = '// the stub\n// TODO: echo\n';

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-reset-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.org', '-c', 'init.defaultBranch=main', ...args], { cwd, stdio: 'pipe' }).toString();

/** A kit in a fresh git repository, its lab 1 stub committed. */
function kitRepo(): { root: string; file: string } {
  const root = tempDir();
  mkdirSync(path.join(root, 'labs', echo.folder), { recursive: true });
  writeFileSync(path.join(root, 'labs', echo.folder, 'server.ts'), STUB);
  git(root, 'init', '-q');
  git(root, 'add', '.');
  git(root, 'commit', '-q', '-m', 'the kit');
  return { root, file: path.join(root, 'labs', echo.folder, 'server.ts') };
}

describe('resetting a lab', () => {
  test('backs up the learner\'s files, puts the stub back, and moves added files to the backup', () => {
    const { root, file } = kitRepo();
    writeFileSync(file, '// my work\n');
    writeFileSync(path.join(path.dirname(file), 'notes.ts'), '// my notes\n');
    const backupsDir = path.join(root, '.socketlab', 'backups');
    const outcome = resetLab(echo, { root, backupsDir, now: new Date('2025-03-14T09:26:53Z') });
    expect(readFileSync(file, 'utf8')).toBe(STUB);
    expect(existsSync(path.join(path.dirname(file), 'notes.ts'))).toBe(false);
    expect(outcome).toMatchObject({ restored: ['server.ts'], removed: ['notes.ts'], source: 'HEAD' });
    expect(outcome.backup).toBe(path.join(backupsDir, echo.folder, '2025-03-14T09-26-53'));
    expect(readFileSync(path.join(outcome.backup!, 'server.ts'), 'utf8')).toBe('// my work\n');
    expect(readFileSync(path.join(outcome.backup!, 'notes.ts'), 'utf8')).toBe('// my notes\n');
    // Once it is the stub, there is nothing to back up or restore.
    expect(resetLab(echo, { root, backupsDir })).toEqual({ restored: [], removed: [], source: 'HEAD' });
  });

  test('takes the stub from the upstream branch, not from the learner\'s own commits', () => {
    const { root } = kitRepo();
    const clone = path.join(tempDir(), 'clone');
    git(root, 'clone', '-q', root, clone);
    const file = path.join(clone, 'labs', echo.folder, 'server.ts');
    writeFileSync(file, '// committed work\n');
    git(clone, 'commit', '-q', '-am', 'my work');
    const outcome = resetLab(echo, { root: clone, backupsDir: path.join(clone, '.socketlab', 'backups') });
    expect(outcome.source).toBe('origin/main');
    expect(readFileSync(file, 'utf8')).toBe(STUB);
  });

  test('outside a git clone it explains why it cannot, and changes nothing', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'labs', echo.folder), { recursive: true });
    writeFileSync(path.join(root, 'labs', echo.folder, 'server.ts'), '// mine\n');
    expect(() => resetLab(echo, { root, backupsDir: path.join(root, 'b') })).toThrow(ResetError);
    expect(() => resetLab(echo, { root, backupsDir: path.join(root, 'b') })).toThrow(/not a git clone/);
    expect(readFileSync(path.join(root, 'labs', echo.folder, 'server.ts'), 'utf8')).toBe('// mine\n');
  });

  test.each([
    [[], /which lab\?/],
    [['all', '1'], /either one lab or all/],
    [['1'], /resetting replaces your files, and there is no terminal to ask: confirm with npm run reset -- 1 --yes/],
  ])('npm run reset %j without a terminal: one line, exit status 2', async (args, message) => {
    const run = await cli('reset', args);
    expectUsageError(run, message);
  });
});

describe('the line diff', () => {
  const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].join('\n');
  const after = ['a', 'B', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'].join('\n');

  test('keeps every common line and rebuilds both sides exactly', () => {
    const lines = diffLines(before, after);
    expect(lines.filter((l) => l.kind !== '+').map((l) => l.text).join('\n')).toBe(before);
    expect(lines.filter((l) => l.kind !== '-').map((l) => l.text).join('\n')).toBe(after);
    expect(lines.filter((l) => l.kind === ' ')).toHaveLength(11);
  });

  test('hunks carry 3 lines of context and correct line numbers; distant changes get their own hunk', () => {
    expect(unifiedHunks(diffLines(before, after))).toEqual([
      '@@ -1,5 +1,5 @@', ' a', '-b', '+B', ' c', ' d', ' e',
      '@@ -10,3 +10,4 @@', ' j', ' k', ' l', '+m',
    ]);
    expect(unifiedHunks(diffLines(before, before))).toEqual([]);
  });
});

describe('npm run solution', () => {
  test('before the lab passes it needs a confirmation; without a terminal, --yes', async () => {
    const refused = await cli('solution', ['1']);
    expectUsageError(refused, /lab 1 has not passed yet.*npm run solution -- 1 --yes/);
    const shown = await cli('solution', ['1', '--yes']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`--- labs/${echo.folder}/server.ts`);
    expect(shown.stdout).toContain(`+++ solutions/${echo.folder}/server.ts`);
    expect(shown.stdout).toMatch(/^\+\s+socket\.on\('data'/m);
    expect(shown.stdout).toMatch(/^-\s+\/\/ TODO/m);
  });

  test('once the lab passed, the diff comes without asking', async () => {
    const stateDir = tempStateDir();
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    new ProgressStore(path.join(stateDir, 'progress.json')).update((p) => recordRun(p, echo, cannedResult(echo)));
    const run = await cli('solution', ['echo'], { stateDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('your code (-) against the reference solution (+)');
    expect(run.stdout).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@/m);
  });
});
