// The harness as the server's operator (docs/protocol.md, "The console"): it types commands on
// the program's standard input and reads the answers on its standard output. Each command it
// types, and each answer it reads, goes into the transcript as a note of its own "connection",
// so a failure shows when the operator typed what, among the clients' conversations.

import { preview } from '../../kit/bytes.ts';
import { ScenarioFailure, check } from '../../kit/failure.ts';
import type { ScenarioContext } from '../../kit/scenario.ts';
import type { ConnectionLog } from '../../kit/transcript.ts';
import { parseAudit, type Audit } from './audit-model.ts';

/** How long an answer may take on a loaded machine: the program answers from memory, at once. */
export const ANSWER_MS = 1500;

/** Most lines the harness reads back from one command's answer: a table of a few accounts. */
const MAX_ANSWER_LINES = 400;

const COMMAND_LINE = 'the console (standard input and output of your program)';

/** Whether `line` may be the answer to `audit json`: it starts like a JSON object, and is the audit if it parses. */
function auditCandidate(line: string): boolean {
  const text = line.trim();
  if (!text.startsWith('{')) return false;
  try {
    const value = JSON.parse(text) as Record<string, unknown> | null;
    // An audit, or something shaped like one without its "type"; not some other JSON the program prints.
    return value?.type === 'audit' || (value !== null && value.type === undefined && ('connections' in value || 'users' in value));
  } catch {
    return true; // the start of a JSON object that is not one line: parseAudit explains it
  }
}

export class OperatorConsole {
  private readonly log: ConnectionLog;

  constructor(private readonly ctx: ScenarioContext) {
    this.log = ctx.transcript.open(COMMAND_LINE, 'bytes');
  }

  /** The program running now (a new one after a restart). */
  get program() {
    return this.ctx.program;
  }

  /** Notes something the operator saw or did, for the failure view. */
  note(text: string): void {
    this.log.add('note', text);
  }

  /** Types one command; returns the mark in the program's output from which its answer is read. */
  type(command: string): number {
    const mark = this.program.outputMark;
    this.note(`the operator types "${command}"`);
    this.program.typeLine(command);
    return mark;
  }

  /** Closes the program's standard input, as Ctrl+D would (or running it with < /dev/null). */
  endInput(): void {
    this.note("the operator closes the program's standard input (end of input, as Ctrl+D at a terminal)");
    this.program.endInput();
  }

  /** Types `audit json` and returns the statistics it prints, checked for shape. */
  async auditJson(when: string, withinMs = ANSWER_MS): Promise<Audit> {
    const mark = this.type('audit json');
    return this.readAudit(mark, when, withinMs);
  }

  /** Reads the answer to an `audit json` typed at `mark`. */
  private async readAudit(mark: number, when: string, withinMs: number): Promise<Audit> {
    const line = await this.program.waitForOutput(auditCandidate, `the answer to "audit json" (${when}): the statistics as one line of JSON, starting with {"type":"audit"`, {
      after: mark,
      withinMs,
    });
    const audit = parseAudit(line, when);
    this.note(`your program answered "audit json": ${preview(Buffer.from(line), 200)}`);
    return audit;
  }

  /**
   * Types `command`, then `audit json`. Commands are answered in order, so everything printed
   * between the two is the answer to `command`; the audit that follows is returned with it.
   */
  async command(command: string, when: string): Promise<{ lines: string[]; audit: Audit }> {
    const mark = this.type(command);
    this.program.typeLine('audit json');
    this.note('the operator types "audit json" (its answer marks the end of the answer before it)');
    const audit = await this.readAudit(mark, `typed after "${command}", ${when}`, ANSWER_MS);
    const lines = await this.linesFrom(mark, (line) => auditCandidate(line), `the answer to "${command}"`);
    const shown = lines.length ? lines.map((line) => `  ${line}`).join('\n') : '  (nothing)';
    this.note(`your program answered "${command}":\n${shown}`);
    return { lines, audit };
  }

  /**
   * The whole lines the program printed from `mark` up to (not including) the first one that
   * `last` accepts, which must have been printed already. Lines are returned whole, however long.
   */
  async linesFrom(mark: number, last: (line: string) => boolean, what: string): Promise<string[]> {
    const lines: string[] = [];
    let at = mark;
    for (let i = 0; i < MAX_ANSWER_LINES; i++) {
      const line = await this.program.waitForOutput(() => true, `the next line of ${what}`, { after: at, withinMs: ANSWER_MS });
      if (last(line)) return lines;
      lines.push(line);
      at += line.length + 1;
    }
    throw new ScenarioFailure(`Your program printed more than ${MAX_ANSWER_LINES} lines for ${what}.`, { kind: 'mismatch', actual: lines.slice(-5).join('\n') });
  }
}

/** The lines of an answer that mention `word` as a word of its own (not inside another). */
export function linesMentioning(lines: string[], word: string): string[] {
  const pattern = new RegExp(`(^|[^\\w-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`);
  return lines.filter((line) => pattern.test(line));
}

/** The whole numbers written as words of their own in `line` (not parts of times, dates or addresses). */
export function numbersIn(line: string): number[] {
  return [...line.matchAll(/(?<![\w.:/-])\d+(?![\w.:/-])/g)].map((match) => Number(match[0]));
}

/** Whether every number of `wanted` is in `numbers`, each as many times as it is wanted. */
export function containsAll(numbers: number[], wanted: number[]): boolean {
  const left = [...numbers];
  for (const n of wanted) {
    const at = left.indexOf(n);
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}

/** Fails unless the answer has a line mentioning every one of `words`. */
export function expectMentioned(lines: string[], words: string[], because: string, command: string): void {
  for (const word of words) {
    check(linesMentioning(lines, word).length > 0, `The answer to "${command}" does not mention "${word}": ${because}.`, {
      expected: `a line with "${word}" in it`,
      actual: lines.length ? lines.join('\n') : '(your program printed nothing between the command and the next one)',
    });
  }
}
