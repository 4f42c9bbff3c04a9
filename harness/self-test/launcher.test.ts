// harness/cli/launch.mjs: how `npm run lab` and the other commands start. Compiled once, then
// started from the compiled copy until a file it was made from changes; through tsx where the
// cache cannot be written. Each test has a cache folder of its own (SOCKETLAB_COMMAND_CACHE).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { kitCommand, launcher } from '../cli/kit-command.ts';
import type { CommandRecord } from '../kit/compiled-program.ts';
import { repoRoot } from '../manifest.ts';
import { cli } from './cli-process.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
function tempFolder(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'socketlab-launcher-'));
  folders.push(folder);
  return folder;
}

const labHelp = (cache: string) => cli('lab', ['--help'], { env: { SOCKETLAB_COMMAND_CACHE: cache } });
const readRecord = (cache: string) => JSON.parse(readFileSync(path.join(cache, 'lab.json'), 'utf8')) as CommandRecord;
const copies = (cache: string) => readdirSync(cache, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith('lab-')).map((e) => path.join(cache, e.name));

test('every command a learner or an instructor types starts through the launcher, as kitCommand() says', () => {
  const { scripts } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const commands = { lab: 'lab', docs: 'docs', hint: 'hint', progress: 'progress', reset: 'reset', solution: 'solution', check: 'check', server: 'room-server', client: 'room-client' };
  for (const [script, name] of Object.entries(commands)) {
    const [file, ...args] = kitCommand(name);
    expect(scripts[script], `npm run ${script}`).toBe(['node', path.relative(repoRoot, file!).replaceAll('\\', '/'), ...args].join(' '));
    expect(existsSync(path.join(repoRoot, 'harness', 'cli', `${name}.ts`)), `harness/cli/${name}.ts`).toBe(true);
  }
});

describe('the launcher', () => {
  test('compiles a command on its first start, then starts the same compiled copy while nothing changed', async () => {
    const cache = tempFolder();
    const first = await labHelp(cache);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('usage: npm run lab');
    const record = readRecord(cache);
    expect(existsSync(record.output)).toBe(true);
    // What it was made from: the command's own file, the kit modules it imports, and how it was compiled and started.
    const madeFrom = ['harness/cli/lab.ts', 'harness/manifest.ts', 'harness/kit/compiled-program.ts', 'harness/cli/launch.mjs', 'tsconfig.json'];
    expect(Object.keys(record.inputs)).toEqual(expect.arrayContaining(madeFrom.map((file) => path.join(repoRoot, file))));
    // The parts only the menu and the guides need stay out of the start, in chunks of their own.
    expect(readFileSync(record.output, 'utf8')).not.toMatch(/marked-terminal|@inquirer\/prompts/);

    const second = await labHelp(cache);
    expect(second.stdout).toBe(first.stdout);
    expect(readRecord(cache)).toEqual(record);
  });

  test('compiles again when a file the copy was made from has changed; old copies go, recent ones stay', async () => {
    const cache = tempFolder();
    const first = await labHelp(cache);
    const compileAgain = async () => {
      const before = readRecord(cache);
      // As if manifest.ts had been saved since: its time no longer matches the record.
      const manifest = path.join(repoRoot, 'harness', 'manifest.ts');
      writeFileSync(path.join(cache, 'lab.json'), JSON.stringify({ ...before, inputs: { ...before.inputs, [manifest]: before.inputs[manifest]! - 1000 } }));
      const again = await labHelp(cache);
      expect(again.stdout).toBe(first.stdout);
      expect(readRecord(cache).output).not.toBe(before.output);
    };
    for (let round = 0; round < 3; round++) await compileAgain();
    // Made today: a session still running (or another process starting) may need any of them.
    expect(copies(cache)).toHaveLength(4);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    for (const copy of copies(cache)) utimesSync(copy, twoDaysAgo, twoDaysAgo);
    await compileAgain();
    // The new one, and the two newest of the old.
    expect(copies(cache)).toHaveLength(3);
  });

  test('runs the command from source where the cache cannot be written', async () => {
    const blocker = path.join(tempFolder(), 'a-file');
    writeFileSync(blocker, '');
    const run = await labHelp(path.join(blocker, 'cache'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: npm run lab');
  });

  test.each(['no-such-command', '../kit/failure'])('a name that is not a command ("%s") is refused in one line, exit status 2', (name) => {
    const run = spawnSync(process.execPath, [launcher, name], { encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`launch.mjs: no command "${name}" in harness/cli/`);
  });
});
