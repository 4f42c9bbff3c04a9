// Turns a learner's TypeScript program into one JavaScript file that plain `node` starts (and,
// at the end of this file, the kit's own commands: see harness/cli/launch.mjs).
//
// Why: through the tsx loader every start costs about 240 ms here (Node 20 runs loader hooks
// on a thread of their own, which has to start first); a compiled file starts in about 90 ms.
// A lab run starts the learner's program once per scenario, and lab 5 its client too, so this
// is the largest part of a run that the harness controls. The program is compiled once per run
// (and again only if one of its files changes) with esbuild, the compiler tsx itself uses, so
// the program behaves exactly as it does under `npm run`/tsx: no type checking, same syntax.
//
// What keeps it faithful to running the .ts files in place:
// - `import.meta.url` (and `.dirname`, `.filename`) keep naming the learner's own file, so
//   a default such as "the .data folder beside settings.ts" still lands beside settings.ts;
// - packages (chalk, @inquirer/prompts) are not copied in: each import is resolved where the
//   learner's file is, as Node would, and left to Node to load;
// - an inline source map, used with `--enable-source-maps`, makes stack traces name the
//   learner's .ts files and lines.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, formatMessages, stop, type BuildOptions, type Message, type Plugin } from 'esbuild';
import { writeJsonAtomic } from './json-file.ts';
import { isAlive } from './process-tree.ts';

const guardSource = fileURLToPath(new URL('./child-guard.ts', import.meta.url));

/** A program ready to start: Node's arguments before the program's own, and the compiled file itself. */
export interface Compiled {
  nodeArgs: string[];
  file: string;
}

/** Why a program could not be compiled: the first error in a sentence, and esbuild's full report (file, line, column, the line itself). */
export class CompileError extends Error {
  override name = 'CompileError';
  constructor(
    message: string,
    readonly report: string,
  ) {
    super(message);
  }
}

interface CacheEntry {
  compiled: Promise<Compiled>;
  /** Every source file the output was made from, with the time it was last changed. */
  inputs: Map<string, number>;
}

const cache = new Map<string, CacheEntry>();
let outputRoot: string | undefined;
let outputs = 0;

/**
 * The node arguments that run `entry` (an absolute path) with the harness's child guard
 * preloaded. Compiled on first use; reused until one of the files it was made from changes.
 * Rejects with a CompileError when the program has a syntax error or imports a missing file.
 */
export function compiledProgram(entry: string): Promise<Compiled> {
  const known = cache.get(entry);
  if (known && !changedSince(known.inputs)) return known.compiled;
  const inputs = new Map<string, number>();
  const compiled = compileProgram(entry, inputs);
  cache.set(entry, { compiled, inputs });
  // A failed compile is not kept: the learner will fix the file, and the next start must see it.
  compiled.catch(() => cache.get(entry)?.compiled === compiled && cache.delete(entry));
  return compiled;
}

/**
 * Stops esbuild's compiler process, which otherwise waits beside this one for the next compile
 * until this process ends (a check for leftover processes would find it). The next compile
 * starts a new one.
 */
export const stopCompiler = (): Promise<void> => stop();

function changedSince(inputs: Map<string, number>): boolean {
  for (const [file, mtime] of inputs) {
    try {
      if (statSync(file).mtimeMs !== mtime) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** Compiles `entry` now, whatever was compiled before; notes in `inputs` the files it was made from. */
export async function compileProgram(entry: string, inputs = new Map<string, number>()): Promise<Compiled> {
  const outdir = path.join(outputFolder(), String(++outputs));
  // The compiled file's path ends with the learner's own (…/1/home/ana/labs/01-echo/server.ts.mjs):
  // a process list still names the program that runs, for the learner and for leftover checks.
  const mirrored = path.relative(path.parse(entry).root, entry);
  const builtFrom = Date.now();
  const result = await build({
    ...forNode(path.dirname(entry)),
    entryPoints: [
      { in: entry, out: mirrored },
      { in: guardSource, out: 'guard' },
    ],
    outdir,
  }).catch(async (err: { errors?: Message[] }) => {
    const first = err.errors?.[0];
    if (!first) throw err;
    const where = first.location ? ` (${first.location.file}, line ${first.location.line})` : '';
    const report = await formatMessages(err.errors!, { kind: 'error', color: false });
    throw new CompileError(`${first.text}${where}`, report.join('').trim());
  });
  noteInputs(Object.keys(result.metafile.inputs), path.dirname(entry), builtFrom, inputs);
  const file = path.join(outdir, `${mirrored}.mjs`);
  return { nodeArgs: ['--enable-source-maps', '--import', pathToFileURL(path.join(outdir, 'guard.mjs')).href, file], file };
}

/**
 * esbuild's settings for code that plain `node` runs as it is: one ES module for Node 20 (plus
 * chunks, when asked), packages left where they are, an inline source map back to the .ts files.
 * Errors name files relative to `workingDir`.
 */
function forNode(workingDir: string) {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    sourcemap: 'inline',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: workingDir,
    plugins: [keepFileMetadata, packagesWhereTheyAre],
  } satisfies BuildOptions;
}

/**
 * Notes in `inputs` each file (named from `workingDir`, as a build's metafile names them) with
 * its last change. A file changed after `builtFrom` (saved while esbuild was reading) may not be
 * in the output as it is now: it gets a time no file has, so the next start compiles again.
 */
function noteInputs(files: string[], workingDir: string, builtFrom: number, inputs: Map<string, number>): void {
  for (const input of files) {
    const file = path.resolve(workingDir, input);
    try {
      const { mtimeMs } = statSync(file);
      inputs.set(file, mtimeMs >= builtFrom ? -1 : mtimeMs);
    } catch {
      // Not a file on disk (none is expected): nothing to watch.
    }
  }
}

/** What `harness/cli/launch.mjs` reads to start a command compiled: the file to import, and what it was made from. */
export interface CommandRecord {
  output: string;
  inputs: Record<string, number>;
}

/**
 * Older compiled copies of a command are removed, but not the newest few, nor any made in the
 * last day: a command still running (a watch session, the menu) may yet load a chunk from its
 * copy, and another process may be about to start the copy it has just made.
 */
const COMMAND_COPIES_KEPT = 3;
const COMMAND_COPY_KEPT_MS = 24 * 3_600_000;

/**
 * Compiles one of the kit's own commands (`harness/cli/<name>.ts`) for `harness/cli/launch.mjs`,
 * which explains why. The output goes to a new folder in `cacheDir`; then `<name>.json` (a
 * CommandRecord) is replaced in one step, so a command started meanwhile reads either the old
 * record or the new one, never half of one. Parts that only some paths use (the menu, the
 * markdown renderer) stay in chunks of their own, loaded when needed, as they are from source.
 * Returns the file to import.
 */
export async function compileCommand(entry: string, cacheDir: string): Promise<string> {
  const name = path.basename(entry, '.ts');
  mkdirSync(cacheDir, { recursive: true });
  const outdir = mkdtempSync(path.join(cacheDir, `${name}-`));
  const builtFrom = Date.now();
  const result = await build({ ...forNode(path.dirname(entry)), entryPoints: { [name]: entry }, outdir, splitting: true });
  const inputs = new Map<string, number>();
  noteInputs([...Object.keys(result.metafile.inputs), ...compiledWith], path.dirname(entry), builtFrom, inputs);
  const record: CommandRecord = { output: path.join(outdir, `${name}.mjs`), inputs: Object.fromEntries(inputs) };
  writeJsonAtomic(path.join(cacheDir, `${name}.json`), record);
  removeOlderCopies(cacheDir, name, outdir);
  return record.output;
}

function removeOlderCopies(cacheDir: string, name: string, newest: string): void {
  try {
    const older = readdirSync(cacheDir, { withFileTypes: true })
      .filter((found) => found.isDirectory() && found.name.startsWith(`${name}-`) && path.join(cacheDir, found.name) !== newest)
      .map((found) => ({ folder: path.join(cacheDir, found.name), made: statSync(path.join(cacheDir, found.name)).mtimeMs }))
      .sort((a, b) => b.made - a.made);
    for (const { folder, made } of older.slice(COMMAND_COPIES_KEPT - 1)) {
      if (Date.now() - made > COMMAND_COPY_KEPT_MS) rmSync(folder, { recursive: true, force: true });
    }
  } catch {
    // Another process is compiling or tidying the same command: it will tidy up.
  }
}

/**
 * What a compiled command depends on besides its own files: how it is compiled (this file,
 * tsconfig.json, which esbuild reads), how it is started (the launcher), and npm's install
 * record, rewritten by every install (a package the output imports may have moved).
 */
const compiledWith = [
  fileURLToPath(import.meta.url),
  fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
  fileURLToPath(new URL('../cli/launch.mjs', import.meta.url)),
  fileURLToPath(new URL('../../node_modules/.package-lock.json', import.meta.url)),
];

/**
 * Where this process keeps its compiled programs: the run's own folder (removed by the runner),
 * or else a temporary folder named after this process. That one is removed at exit, but a
 * process stopped by a signal (a vitest worker at the end of its run) skips exit handlers: so
 * folders of processes that are gone are removed whenever a new one is made, and by
 * `removeOrphanedOutputs()` (the kit's own test run calls it last).
 */
function outputFolder(): string {
  if (outputRoot) return outputRoot;
  const runDir = process.env.SOCKETLAB_RUN_DIR;
  if (runDir) return (outputRoot = mkdtempSync(path.join(runDir, 'compiled-')));
  removeOrphanedOutputs();
  const own = mkdtempSync(path.join(os.tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
  process.once('exit', () => rmSync(own, { recursive: true, force: true }));
  return (outputRoot = own);
}

const FOLDER_PREFIX = 'socketlab-compiled-';

/** Removes the temporary folders of compiled programs whose process has ended. */
export function removeOrphanedOutputs(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = name.startsWith(FOLDER_PREFIX) ? Number.parseInt(name.slice(FOLDER_PREFIX.length), 10) : NaN;
    if (Number.isInteger(pid) && !isAlive(pid)) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

const META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const META_RESOLVE = /\bimport\.meta\.resolve\(\s*(['"])([^'"]+)\1\s*\)/g;

/**
 * `import.meta.url` and friends name the learner's file, not the compiled one; and
 * `import.meta.resolve('name')` (a literal) is answered now, from where the file is.
 */
const keepFileMetadata: Plugin = {
  name: 'keep-file-metadata',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.')) return undefined;
      const values = { url: pathToFileURL(args.path).href, dirname: path.dirname(args.path), filename: args.path };
      const resolved = new Map<string, string>();
      for (const [, , specifier] of source.matchAll(META_RESOLVE)) {
        const found = await build.resolve(specifier!, { kind: 'import-statement', resolveDir: path.dirname(args.path), pluginData: 'resolving' });
        if (found.errors.length === 0) resolved.set(specifier!, pathToFileURL(found.path).href);
        // A file that does not exist (yet): beside the learner's file, as Node would answer there.
        else if (/^(\.|\/|file:)/.test(specifier!)) resolved.set(specifier!, new URL(specifier!, values.url).href);
        // A package that is not there (or a name only in a comment): left for Node to answer when it runs.
      }
      const contents = source
        .replace(META_RESOLVE, (call: string, _quote: string, specifier: string) => (resolved.has(specifier) ? JSON.stringify(resolved.get(specifier)) : call))
        .replace(META, (_, key: keyof typeof values) => JSON.stringify(values[key]));
      return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

/** A package import is resolved from the importing file, as Node would, and left for Node to load. */
const packagesWhereTheyAre: Plugin = {
  name: 'packages-where-they-are',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (isBuiltin(args.path) || args.pluginData === 'resolving') return undefined;
      const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: pathToFileURL(found.path).href, external: true };
    });
  },
};
