// Markdown to terminal text, for the guides, the hints and the docs index: marked-terminal
// with the fixes TECH-NOTES lists (inline markdown in list items, colour off means no escape
// codes at all), tables that fit the screen, and links that say how to open them here.

import { Chalk } from 'chalk';
import { Marked, type Tokens } from 'marked';
import { markedTerminal } from 'marked-terminal';
import { layoutTable } from './text-table.ts';
import { wordWrap } from './text-wrap.ts';

export interface MarkdownOptions {
  color: boolean;
  /** Columns available; text is wrapped to it. */
  width: number;
  /** Turns a link to another guide (`protocol.md`) into a command that opens it here. */
  guideCommand?: (file: string) => string | undefined;
}

const INDENT = 2;

export function renderMarkdown(source: string, options: MarkdownOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const width = Math.max(20, Math.min(options.width, 100));
  const plain = (s: string) => s;
  const marked = new Marked();
  marked.use(
    markedTerminal({
      code: c.yellow,
      blockquote: c.gray.italic,
      html: c.gray,
      heading: c.green.bold,
      firstHeading: c.magenta.bold,
      hr: plain,
      // marked-terminal reflows paragraphs but not list items: wrap them here, leaving nested lists alone.
      listitem: (text) => reflowListItem(text, width - 2 * INDENT - 3),
      table: plain,
      paragraph: plain,
      strong: c.bold,
      em: c.italic,
      // Without colour, backticks are the only thing that still marks code.
      codespan: options.color ? c.yellow : (s) => `\`${s}\``,
      del: c.dim,
      link: plain,
      href: plain,
      width,
      reflowText: true,
      emoji: false,
      tab: INDENT,
    }),
  );
  marked.use({
    renderer: {
      // Inline markdown inside list items printed raw (marked-terminal #304, #371): parse it.
      text(token: Tokens.Text | Tokens.Escape) {
        return 'tokens' in token && token.tokens ? this.parser.parseInline(token.tokens) : token.text;
      },
      // Syntax colouring only with colour on: marked-terminal asks chalk's global level, which ignores NO_COLOR.
      code(token: Tokens.Code) {
        if (options.color) return false;
        return `${token.text.replace(/^/gm, ' '.repeat(INDENT))}\n\n`;
      },
      table(token: Tokens.Table) {
        const cell = (tableCell: Tokens.TableCell) => this.parser.parseInline(tableCell.tokens);
        const lines = layoutTable(token.header.map(cell), token.rows.map((row) => row.map(cell)), width - INDENT, {
          fancy: options.color,
          head: c.bold,
        });
        return `${lines.map((line) => ' '.repeat(INDENT) + line).join('\n')}\n\n`;
      },
      link(token: Tokens.Link) {
        const text = this.parser.parseInline(token.tokens);
        const where = options.guideCommand?.(token.href) ?? token.href;
        return text === token.href ? c.blue(where) : `${text} (${c.blue(where)})`;
      },
    },
  });
  return (marked.parse(source, { async: false }) as string).replace(/\n{3,}/g, '\n\n').trimEnd();
}

/** Joins a list item's soft line breaks and wraps it; lines of a nested list stay as they are. */
function reflowListItem(text: string, width: number): string {
  const lines = text.split('\n');
  const nestedAt = lines.findIndex((line, i) => i > 0 && /^\s*(?:\*|\d+\.) /.test(line));
  const own = nestedAt === -1 ? lines : lines.slice(0, nestedAt);
  const rest = nestedAt === -1 ? [] : lines.slice(nestedAt);
  return [...wordWrap(own.join(' '), Math.max(20, width)), ...rest].join('\n');
}
