// `npm run reset N`: puts a lab's stub back, after copying the learner's folder to a dated
// backup. The stub comes from git, the way the kit was delivered: the upstream branch when
// there is one (the learner's own commits on top do not count), else HEAD.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Lab } from '../manifest.ts';
import { listLabFiles } from './lab-files.ts';

/** The stub cannot be restored: no git, or git does not know the lab. The message says which. */
export class ResetError extends Error {
  override name = 'ResetError';
}

export interface ResetOutcome {
  /** Where the learner's files were copied; undefined when the folder already was the stub. */
  backup?: string;
  restored: string[];
  /** Files the learner added, removed from the lab folder (they are in the backup). */
  removed: string[];
  /** The git revision the stub came from. */
  source: string;
}

export interface ResetOptions {
  /** The kit's root (holding labs/). */
  root: string;
  backupsDir: string;
  now?: Date;
}

export function resetLab(lab: Lab, { root, backupsDir, now = new Date() }: ResetOptions): ResetOutcome {
  const git = gitIn(root);
  let top: string;
  try {
    top = git(['rev-parse', '--show-toplevel']).toString().trim();
  } catch (err) {
    if ((err as Error).message.includes('not found')) throw err;
    throw new ResetError(`the stub is restored from git, but ${root} is not a git clone of the kit`);
  }
  // The kit may sit inside a larger repository: git paths are relative to its top, with '/'.
  const labPath = path.relative(realpathSync(top), path.join(realpathSync(root), 'labs', lab.folder)).split(path.sep).join('/');
  const source = stubRevision(git, labPath);
  const stubFiles = git(['ls-tree', '-r', '--name-only', source, '--', `${labPath}/`])
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((file) => path.posix.relative(labPath, file));
  if (!stubFiles.length) throw new ResetError(`git has no stub for labs/${lab.folder} in ${source}`);
  const stub = new Map(stubFiles.map((file) => [file, git(['show', `${source}:${labPath}/${file}`])]));

  const folder = path.join(root, 'labs', lab.folder);
  const current = listLabFiles(folder).map((file) => file.split(path.sep).join('/'));
  const unchanged = current.length === stub.size && current.every((file) => stub.get(file)?.equals(readFileSync(path.join(folder, file))));
  if (unchanged) return { restored: [], removed: [], source };

  let backup: string | undefined;
  if (current.length) {
    backup = path.join(backupsDir, lab.folder, now.toISOString().replace(/:/g, '-').replace(/\..*$/, ''));
    mkdirSync(path.dirname(backup), { recursive: true });
    cpSync(folder, backup, { recursive: true });
  }
  const removed = current.filter((file) => !stub.has(file));
  for (const file of removed) rmSync(path.join(folder, file), { force: true });
  for (const [file, content] of stub) {
    mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    writeFileSync(path.join(folder, file), content);
  }
  return { ...(backup ? { backup } : {}), restored: [...stub.keys()], removed, source };
}

function gitIn(root: string): (args: string[]) => Buffer {
  return (args) => {
    try {
      return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, windowsHide: true });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
      if (e.code === 'ENOENT') throw new ResetError('reset needs git, and git was not found on this computer');
      throw new ResetError(`git ${args[0]} failed: ${e.stderr?.toString().trim().split('\n')[0] ?? e.message}`);
    }
  };
}

/** The upstream branch if it has this lab (the kit as published), else HEAD. */
function stubRevision(git: (args: string[]) => Buffer, labPath: string): string {
  try {
    const upstream = git(['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']).toString().trim();
    if (upstream && git(['ls-tree', '--name-only', upstream, '--', `${labPath}/`]).length) return upstream;
  } catch {
    // No upstream configured: a local clone or a copy of the kit.
  }
  return 'HEAD';
}
