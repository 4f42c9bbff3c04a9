// Bulk traffic for scenarios that check a program survives many clients: bounded in count
// and time, recorded in the transcript as one labelled fault rather than 200 connections.

import net from 'node:net';
import { within } from './failure.ts';
import type { Transcript } from './transcript.ts';

/**
 * Opens and closes `count` connections, `parallel` at a time. Even-numbered ones close
 * politely (FIN), odd-numbered ones reset (RST). Resolves when all are closed.
 */
export async function churn(host: string, port: number, transcript: Transcript, count: number, parallel = 20): Promise<void> {
  const log = transcript.open(`${count} short-lived clients`);
  log.add('fault', `opening and closing ${count} connections, ${parallel} at a time; every second one is reset (RST) instead of closed`);
  for (let first = 0; first < count; first += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - first) }, (_, i) => once(host, port, (first + i) % 2 === 1));
    await within(5000, `connections ${first + 1}–${first + batch.length} of ${count} to open and close`, Promise.all(batch));
  }
  log.add('closed', `all ${count} connections opened and closed`);
}

function once(host: string, port: number, reset: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => (reset ? socket.resetAndDestroy() : socket.end()));
    // A refused or reset connection still counts as "opened and closed": the final
    // echo check of the scenario says whether the server survived.
    socket.once('error', () => resolve());
    socket.once('close', () => resolve());
  });
}
