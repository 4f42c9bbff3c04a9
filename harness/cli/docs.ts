// `npm run docs [lab or page]`: the guides, rendered in the terminal. With no argument, the
// index. Paged when longer than the screen at a terminal; plain text when piped.

import { parseArgs } from 'node:util';
import { styleFor } from '../report/style.ts';
import { renderGuide, renderIndex } from '../learner/docs-view.ts';
import { findGuide, guideExists, labGuides, otherGuides } from '../learner/guides.ts';
import { screenWidth, showLong } from '../learner/terminal.ts';
import { runCli, UsageError } from './usage-error.ts';

const usage = `usage: npm run docs [<lab or page>] [-- --no-pager]

  <lab or page>  a lab number or name (1, echo, 01-echo), or a page: ${otherGuides().map((g) => g.name).join(', ')}
                 with nothing: the list of guides
  --no-pager     print everything at once, even at a terminal`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'no-pager': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`one guide at a time, got: ${positionals.join(' ')}`);
  const look = { color: styleFor(process.stdout).color.level > 0, width: screenWidth() };
  if (positionals.length === 0) {
    await showLong(renderIndex(look), !values['no-pager']);
    return 0;
  }
  const guide = findGuide(positionals[0]!);
  if (!guide) {
    const names = [...labGuides(), ...otherGuides()].map((g) => g.name).join(', ');
    throw new UsageError(`there is no guide "${positionals[0]}"; the guides are ${names}`);
  }
  if (!guideExists(guide)) {
    console.error(`The guide for ${guide.title} is not written yet (${guide.file}).`);
    return 1;
  }
  await showLong(renderGuide(guide, look), !values['no-pager']);
  return 0;
}

await runCli(main);
