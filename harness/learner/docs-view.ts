// The docs as `npm run docs` shows them: the index of guides, or one guide rendered for the
// terminal (plain when colour is off).

import { readFileSync } from 'node:fs';
import { guideCommand, guideExists, labGuides, otherGuides, type Guide } from './guides.ts';
import { renderMarkdown } from './markdown.ts';

export interface DocsLook {
  color: boolean;
  width: number;
}

export function renderGuide(guide: Guide, look: DocsLook): string {
  return renderMarkdown(readFileSync(guide.file, 'utf8'), { ...look, guideCommand });
}

/** The index, written as markdown so it renders like the guides themselves. */
export function renderIndex(look: DocsLook): string {
  const labLines = labGuides().map((g) => `- \`npm run docs ${g.name}\`: **${g.title}**${guideExists(g) ? '' : ' (not written yet)'} — ${g.lab!.teaches}`);
  const otherLines = otherGuides().map((g) => `- \`npm run docs ${g.name}\`: ${g.title}`);
  const markdown = [
    '# socketlab guides',
    '',
    'Each lab has a guide: the concepts, the protocol, the steps, and what the tests will do.',
    '',
    ...labLines,
    '',
    ...(otherLines.length ? ['## Reference', '', ...otherLines, ''] : []),
    '## While you work',
    '',
    "- `npm run lab N` runs a lab's tests; `npm run lab N watch` runs them again whenever you save.",
    '- `npm run hint N` gives a hint for the scenario that failed, one step at a time.',
    '- `npm run lab N plan` lists what the tests will do, in plain words.',
    '- `npm run progress` shows how far you are.',
  ].join('\n');
  return renderMarkdown(markdown, { ...look, guideCommand });
}
