// The guides `npm run docs` can show: every lab's guide (from the manifest) and the other
// pages of docs/ (the protocol, the instructors' guide…), found by name.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findLab, labs, repoRoot, type Lab } from '../manifest.ts';

export interface Guide {
  /** What to type after `npm run docs`: a lab number, or the page's file name without .md. */
  name: string;
  title: string;
  file: string;
  lab?: Lab;
}

const docsDir = path.join(repoRoot, 'docs');

export function labGuides(): Guide[] {
  return labs.map((lab) => ({ name: String(lab.number), title: `Lab ${lab.number}: ${lab.title}`, file: path.join(repoRoot, lab.docs), lab }));
}

/** docs/*.md that are not a lab's guide, titled by their first heading. */
export function otherGuides(): Guide[] {
  const labDocs = new Set(labs.map((lab) => path.join(repoRoot, lab.docs)));
  return readdirSync(docsDir)
    .filter((name) => name.endsWith('.md') && name.toLowerCase() !== 'readme.md')
    .map((name) => path.join(docsDir, name))
    .filter((file) => !labDocs.has(file))
    .map((file) => ({ name: path.basename(file, '.md'), title: firstHeading(file) ?? path.basename(file, '.md'), file }));
}

export function findGuide(query: string): Guide | undefined {
  const lab = findLab(query);
  if (lab) return labGuides().find((g) => g.lab === lab);
  const name = query.trim().toLowerCase().replace(/\.md$/, '');
  return otherGuides().find((g) => g.name.toLowerCase() === name);
}

/** For a link inside a guide ("protocol.md", "02-framing.md#frames"): the command that opens it here. */
export function guideCommand(href: string): string | undefined {
  if (/^[a-z]+:/i.test(href) || !/\.md(#.*)?$/.test(href)) return undefined;
  const name = path.basename(href.replace(/#.*$/, ''), '.md');
  const guide = findGuide(name);
  return guide ? `npm run docs ${guide.name}` : undefined;
}

export const guideExists = (guide: Guide) => existsSync(guide.file);

function firstHeading(file: string): string | undefined {
  return /^#\s+(.+)$/m.exec(readFileSync(file, 'utf8'))?.[1]?.trim();
}
