// Single keys from the learner, for watch mode and the pager. On a terminal the input is
// put in raw mode (no Enter needed; Ctrl+C arrives as a key, not a signal); from a pipe,
// the same characters arrive as they are written, so tests and scripts can type too.
// Handlers stack: the pager takes the keys while it is open, then gives them back.

import { emitKeypressEvents } from 'node:readline';

/** A key's name: a character ('q', 'G'), or 'up', 'down', 'pageup', 'pagedown', 'home', 'end', 'space', 'return', 'escape', 'ctrl-c'. */
export type KeyHandler = (key: string) => void;

export interface KeySource {
  /** Sends keys to `handler` until the returned function is called. */
  take(handler: KeyHandler): () => void;
  close(): void;
}

type KeyInput = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

interface Keypress {
  name?: string;
  ctrl?: boolean;
  shift?: boolean;
  sequence?: string;
}

export function keysFrom(input: KeyInput): KeySource {
  const handlers: KeyHandler[] = [];
  const raw = Boolean(input.isTTY && input.setRawMode);
  emitKeypressEvents(input);
  if (raw) input.setRawMode!(true);
  const onKeypress = (text: string | undefined, key: Keypress | undefined) => {
    const name = keyName(text, key);
    if (name) handlers.at(-1)?.(name);
  };
  input.on('keypress', onKeypress);
  input.resume();
  return {
    take(handler) {
      handlers.push(handler);
      return () => {
        const i = handlers.lastIndexOf(handler);
        if (i !== -1) handlers.splice(i, 1);
      };
    },
    close() {
      input.off('keypress', onKeypress);
      if (raw) input.setRawMode!(false);
      // Paused, stdin no longer keeps the process alive.
      input.pause();
    },
  };
}

function keyName(text: string | undefined, key: Keypress | undefined): string | undefined {
  if (key?.ctrl && key.name === 'c') return 'ctrl-c';
  if (key?.name === 'enter') return 'return';
  if (key?.name && key.name.length > 1) return key.name;
  if (text && text.length === 1 && text >= ' ') return text === ' ' ? 'space' : text;
  return key?.name;
}
