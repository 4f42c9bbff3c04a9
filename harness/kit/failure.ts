// What a scenario throws when the program under test did not do what the lab asks.
// The message is one plain sentence; the details let the failure view show more
// (a byte diff, what the harness was waiting for) without parsing the message.

import type { ByteDiff } from './bytes.ts';

export type FailureKind =
  | 'mismatch' // the program sent something, but not what was expected
  | 'timeout' // a bounded wait ran out
  | 'closed' // the program closed (or reset) the connection too early
  | 'refused' // the harness could not connect at all
  | 'start' // the program never became ready
  | 'crashed' // the program exited while the scenario ran
  | 'harness'; // the scenario or the kit broke: not a verdict about the program

export interface WaitDetails {
  /** What the harness was waiting for, in words: "the echo of 6 bytes". */
  awaited: string;
  withinMs: number;
  receivedBytes?: number;
  socketOpen?: boolean;
}

export interface FailureDetails {
  kind: FailureKind;
  expected?: string;
  actual?: string;
  diff?: ByteDiff;
  wait?: WaitDetails;
  /** A socket error code (ECONNREFUSED, ECONNRESET…) when one caused the failure. */
  code?: string;
}

export class ScenarioFailure extends Error {
  override name = 'ScenarioFailure';
  constructor(
    message: string,
    readonly details: FailureDetails,
  ) {
    super(message);
  }
}

/** Fails the scenario with a plain explanation unless `condition` holds. */
export function check(condition: boolean, message: string, details: Omit<FailureDetails, 'kind'> = {}): asserts condition {
  if (!condition) throw new ScenarioFailure(message, { kind: 'mismatch', ...details });
}

/**
 * Races `work` against a bound. On time-out the error names what was awaited,
 * so a learner never sees a bare "timed out".
 *
 * The verdict waits for the I/O that has already arrived: after a stall (a loaded machine, a
 * long garbage collection) the event loop runs its due timers before it reads its sockets, so
 * an answer that came in time would otherwise lose to a bound that expired while nobody ran.
 * setImmediate runs after that turn's reading (the poll phase).
 */
export async function within<T>(ms: number, awaited: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let verdict: NodeJS.Immediate | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      verdict = setImmediate(() => reject(new ScenarioFailure(`Timed out after ${ms} ms waiting for ${awaited}.`, { kind: 'timeout', wait: { awaited, withinMs: ms } })));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    clearImmediate(verdict);
  }
}
