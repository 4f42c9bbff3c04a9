// Starts one of the kit's commands: `npm run lab 3` runs `node harness/cli/launch.mjs lab 3`,
// which runs harness/cli/lab.ts with the arguments `3`.
//
// Why not `node --import tsx harness/cli/lab.ts`: tsx's loader costs about 0.15 s of every
// start, and `npm run lab 1` answers in about one second in all. So each command is compiled
// into plain JavaScript (compileCommand() in harness/kit/compiled-program.ts, with esbuild, the
// compiler tsx uses) and started from there for as long as none of the files it was made from
// has changed. When one has, the first start compiles it again (through tsx, once); where the
// cache cannot be written, the command runs through tsx, as it always could.
//
// This one file is JavaScript because it is what starts before any TypeScript can run.
// The cache is node_modules/.cache/socketlab (npm ci clears it); the kit's own tests move it
// with SOCKETLAB_COMMAND_CACHE.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [name] = process.argv.splice(2, 1);
const entry = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
if (!/^[a-z][a-z-]*$/.test(name ?? '') || !existsSync(entry)) {
  console.error(`launch.mjs: no command "${name ?? ''}" in harness/cli/`);
  process.exit(2);
}
// The command sees the arguments it would see started from source.
process.argv[1] = entry;

const cacheDir = process.env.SOCKETLAB_COMMAND_CACHE || fileURLToPath(new URL('../../node_modules/.cache/socketlab', import.meta.url));
const compiled = upToDate(path.join(cacheDir, `${name}.json`)) ?? (await compileNow());
if (compiled) {
  // Stack traces name the .ts files and lines, as under tsx.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(compiled).href);
} else {
  await import(pathToFileURL(entry).href);
}

/** The compiled file, if the record says every file it was made from is as it was then. */
function upToDate(recordFile) {
  try {
    const { output, inputs } = JSON.parse(readFileSync(recordFile, 'utf8'));
    for (const [file, mtime] of Object.entries(inputs)) if (statSync(file).mtimeMs !== mtime) return undefined;
    return existsSync(output) ? output : undefined;
  } catch {
    return undefined; // never compiled, or the record is unreadable: compile
  }
}

/** Compiles the command through tsx (which stays loaded): the file to import, or undefined to run from source. */
async function compileNow() {
  const { register } = await import('tsx/esm/api');
  register();
  const { compileCommand, stopCompiler } = await import('../kit/compiled-program.ts');
  try {
    return await compileCommand(entry, cacheDir);
  } catch {
    return undefined; // a cache that cannot be written, or a file that does not compile (tsx will say where)
  } finally {
    await stopCompiler(); // esbuild's own process need not outlive the compile
  }
}
