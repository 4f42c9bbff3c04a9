// Colours and symbols only for a person at a terminal: plain text for pipes, CI and
// NO_COLOR (which chalk alone does not honour).

import { Chalk, type ChalkInstance } from 'chalk';

export interface Style {
  color: ChalkInstance;
  pass: string;
  fail: string;
  arrowOut: string;
  arrowIn: string;
}

export function styleFor(stream: NodeJS.WriteStream): Style {
  const fancy = Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
  return {
    color: new Chalk({ level: fancy ? 1 : 0 }),
    pass: fancy ? '✓' : 'PASS',
    fail: fancy ? '✗' : 'FAIL',
    arrowOut: fancy ? '→' : '>>',
    arrowIn: fancy ? '←' : '<<',
  };
}

export const plainStyle: Style = { color: new Chalk({ level: 0 }), pass: 'PASS', fail: 'FAIL', arrowOut: '>>', arrowIn: '<<' };
