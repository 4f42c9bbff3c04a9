// When a frame from the learner's program does not open, "it did not authenticate" teaches
// nothing. The harness holds both session keys, so it tries the usual mistakes one by one (a
// counter that did not move, the other direction's key, no sealing at all) and names the one
// that fits. A small, bounded search: a few keys times a few counters.

import { open, type SessionKeys } from './secure-channel.ts';

/** Counters tried around the expected one: enough for "stuck at 0", "one behind", "one ahead". */
const COUNTER_SLACK = 3;

/**
 * One sentence about why `body` does not open as the program's frame number `counter` (from 0)
 * sealed with `keys.serverToClient` (or `clientToServer` when the program is the client).
 */
export function explainUnopenable(body: Buffer, keys: SessionKeys, counter: number, programIs: 'server' | 'client'): string {
  const own = programIs === 'server' ? keys.serverToClient : keys.clientToServer;
  const other = programIs === 'server' ? keys.clientToServer : keys.serverToClient;
  const ownName = programIs === 'server' ? 'server-to-client' : 'client-to-server';
  const otherName = programIs === 'server' ? 'client-to-server' : 'server-to-client';
  const expected = `It should be sealed with the ${ownName} key and the nonce of counter ${counter} (the program's frame number ${counter + 1} since the handshake).`;

  if (looksLikeJson(body)) return `This frame is not sealed at all: it is readable JSON. After the handshake every frame must be sealed. ${expected}`;
  const counters = [...Array(counter + COUNTER_SLACK + 1).keys()].filter((c) => c !== counter);
  for (const c of counters) {
    if (open(own, c, body)) {
      if (c === 0 && counter > 0) return `This frame opens with the ${ownName} key but the nonce of counter 0: the program seals every frame with the same nonce (a fixed nonce) instead of counting. ${expected}`;
      return `This frame opens with the ${ownName} key but the nonce of counter ${c}, where counter ${counter} was due: the program's counter is out of step. ${expected}`;
    }
  }
  for (const c of [counter, ...counters]) {
    if (open(other, c, body)) {
      return `This frame opens with the ${otherName} key (counter ${c}): the program uses one key for both directions. Each direction needs its own key, from HKDF with its own "info" label. ${expected}`;
    }
  }
  return `This frame does not open with either session key near the expected counter: check the key schedule (HKDF-SHA256, its salt and "info" labels), the nonce layout (4 zero bytes, then the counter as 8 big-endian bytes) and that the 16-byte tag comes last. ${expected}`;
}

function looksLikeJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
