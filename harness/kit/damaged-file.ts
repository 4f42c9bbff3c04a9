// "A damaged file is never replaced": labs 4 and 6 write a file the program must refuse to
// start with (users.json, stats.json), cut off, empty or of the wrong shape, and check that the
// program stops with an error that names the file, and leaves the file exactly as it was.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { show } from './chat-client.ts';
import { ScenarioFailure, check } from './failure.ts';
import { StartError, type LearnerProgram } from './program.ts';

/** One damaged version of the file, and what it is in words: "empty, 0 bytes (what a crash right after truncating it leaves)". */
export type DamagedVersion = [content: Buffer, what: string];

/** The lines of a program's output that say something: no stack frames, no blank lines. */
export function gist(output: string): string {
  const telling = output.split('\n').filter((line) => line.trim() !== '' && !/^\s+at /.test(line) && !/^Node\.js v/.test(line));
  return telling.length === 0 ? '(nothing)' : telling.slice(0, 4).join(' | ');
}

/**
 * Writes each damaged version to `file` and starts the program (it is not running): each start
 * must fail, say which file is damaged, and leave it untouched. `otherwise` says what starting
 * anyway would cost, for the failure message.
 */
export async function expectRefusedToStart(restart: () => Promise<LearnerProgram>, file: string, versions: DamagedVersion[], otherwise: string): Promise<void> {
  const name = path.basename(file);
  for (const [content, what] of versions) {
    writeFileSync(file, content);
    let refusal: StartError | undefined;
    try {
      await restart();
    } catch (err) {
      if (!(err instanceof StartError)) throw err;
      refusal = err;
    }
    if (!refusal) {
      throw new ScenarioFailure(`Your program started although ${name} is ${what}: it must refuse, or ${otherwise}.`, {
        kind: 'mismatch',
        expected: `a message naming ${name} and what is wrong with it, and an exit with a non-zero code before listening`,
        actual: 'listening as usual',
      });
    }
    check(/exited with code [1-9]/.test(refusal.message), `With ${name} ${what}, your program did not stop with an error: ${refusal.message}`, {
      expected: 'an exit with a non-zero code (process.exit(1)) after saying what is wrong',
      actual: refusal.message,
    });
    check(refusal.output.includes(name), `With ${name} ${what}, your program stopped, but what it printed does not say which file is damaged.`, {
      expected: `a message naming the file (its path ends in ${name}) and what is wrong with it`,
      actual: show(gist(refusal.output)),
    });
    const now = readFileSync(file);
    check(now.equals(content), `Your program changed ${name} (${what}) while refusing to start: a damaged file must be left exactly as it is, for a person to repair.`, {
      expected: show(content.toString('utf8')),
      actual: show(now.toString('utf8')),
    });
  }
}
