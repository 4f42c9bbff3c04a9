// What `npm run server` and `npm run client` share: finding the finished room's program in an
// implementation tree (--impl), and running it as one child process that the user talks to
// directly, with its exit status passed through.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError, compiledProgram, stopCompiler } from '../kit/compiled-program.ts';
import { labs, repoRoot } from '../manifest.ts';
import { UsageError } from './usage-error.ts';

/** The finished room is the last lab's programs (PRODUCT.md: "the last one *is* the full chat room"). */
const roomLab = labs.at(-1)!;

/** Where the user ran npm: relative paths on the command line mean paths from there. */
export const userDir = () => process.env.INIT_CWD ?? process.cwd();

export const IMPL_HELP = `  --impl <tree>        whose program to run: solutions (the reference, default), labs (yours),
                       or any folder laid out like labs/`;

/**
 * `file` of the room ("server.ts", "client.ts") in the tree `--impl` names: "solutions" and
 * "labs" are the kit's own folders, anything else a path from where the user ran npm.
 */
export function roomProgram(impl: string | undefined, file: string): string {
  const name = impl ?? 'solutions';
  const tree = name === 'labs' || name === 'solutions' ? path.join(repoRoot, name) : path.resolve(userDir(), name);
  if (!existsSync(tree) || !statSync(tree).isDirectory()) throw new UsageError(`--impl: folder not found: ${tree}`);
  const program = path.join(tree, roomLab.folder, file);
  if (!existsSync(program)) throw new UsageError(`--impl: ${tree} has no ${path.join(roomLab.folder, file)}`);
  if (!inModulePackage(tree)) {
    // Else the tree has neither the kit's packages nor .ts files that Node reads as ES modules:
    // it would fail with a stack trace, not with this sentence.
    throw new UsageError(`--impl: ${tree} is not inside a copy of the kit (no package.json with "type": "module" above it)`);
  }
  return program;
}

/** Whether the package.json nearest to `folder` makes its .ts files ES modules, as the kit's does. */
function inModulePackage(folder: string): boolean {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

/**
 * Runs `program` with `args` as one node process, on the user's terminal, and resolves to its
 * exit status (128 + the signal's number when a signal ended it, as shells report it). The
 * program runs compiled, as the lab runs start it (harness/kit/compiled-program.ts): it starts
 * about 0.2 s sooner than through tsx's loader, and the server holds some 30 MB less.
 */
export async function runProgram(program: string, args: string[]): Promise<number> {
  let nodeArgs: string[];
  try {
    ({ nodeArgs } = await compiledProgram(program));
  } catch (err) {
    if (!(err instanceof CompileError)) throw err;
    console.error(`error: ${path.relative(userDir(), program)} could not be compiled, so it did not start: ${err.message}\n${err.report}`);
    return 1;
  } finally {
    // Nothing more to compile: esbuild's own process need not wait beside the room for hours.
    await stopCompiler();
  }
  const child = spawn(process.execPath, [...nodeArgs, ...args], { stdio: 'inherit', cwd: userDir() });

  // Ctrl+C at a terminal reaches the whole foreground process group: the program got its own
  // SIGINT already (and npm sends us a second one). Passing SIGINT on would reach it as a
  // second Ctrl+C, which the server takes as "stop at once". SIGTERM asks for the same clean
  // stop and means nothing more when repeated, so that is what we pass on, once: it matters
  // when only this process was signalled (`kill <pid>`, a supervisor). On Windows the console
  // gives every process its Ctrl+C, and there is no SIGTERM to send.
  let forwarded = false;
  const forward = () => {
    if (forwarded || process.platform === 'win32') return;
    forwarded = true;
    child.kill('SIGTERM');
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  // npm runs us through a shell. Signalling npm alone (`timeout npm run server`, a supervisor)
  // kills that shell and leaves us with no parent and no signal: a parent gone means "stop" too.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && forward(), 500).unref();

  return new Promise((resolve) => {
    child.once('error', (err) => {
      console.error(`error: could not start ${program}: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}
