// Lab 2's moves, shared by its scenarios: expect a frame back with a given body, and make the
// program read a frame in two pieces cut at an exact byte — for certain, not just probably.

import { diffBytes, preview } from '../../kit/bytes.ts';
import type { TestClient } from '../../kit/client.ts';
import { ScenarioFailure } from '../../kit/failure.ts';
import { frame } from '../../kit/frames.ts';

/** Waits for the next frame and checks its body, reporting a wrong length or the first wrong byte. */
export async function expectEcho(client: TestClient, expected: string | Uint8Array, what: string, withinMs?: number): Promise<void> {
  const want = typeof expected === 'string' ? Buffer.from(expected, 'utf8') : Buffer.from(expected);
  const got = await client.expectFrame({ what, ...(withinMs ? { withinMs } : {}) });
  const diff = diffBytes(want, got);
  if (!diff) return;
  const message =
    got.length === want.length
      ? `Expected ${what}. A frame of the right length came back, but body byte ${diff.offset} is wrong.`
      : `Expected ${what}, with a body of ${want.length} bytes. The frame that came back has a body of ${got.length} bytes.`;
  throw new ScenarioFailure(message, { kind: 'mismatch', expected: preview(want), actual: preview(got), diff });
}

/**
 * Leaves the program holding the first `at` bytes of `bytes` (a frame) as an unfinished frame.
 * Those bytes travel in the same write as a whole `marker` frame: once the marker's echo is
 * back, the program has surely read that write, so its next read starts exactly at byte `at`.
 * (A pause between two writes would only make separate reads likely, not certain.)
 */
export async function leaveUnfinished(client: TestClient, bytes: Uint8Array, at: number, marker: string): Promise<void> {
  const first = at === 1 ? 'its first byte rides' : `its first ${at} bytes ride`;
  client.log.add('fault', `the next frame (${bytes.length} B) is cut after byte ${at}: ${first} in one write behind a whole frame, the rest comes later`);
  await client.send(Buffer.concat([frame(marker), bytes.subarray(0, at)]));
  await expectEcho(client, marker, `the echo of the frame "${marker}" (its write also carried the start of the next frame)`);
}

/** Makes the program read `bytes` in exactly two pieces, cut after byte `at`. */
export async function sendCut(client: TestClient, bytes: Uint8Array, at: number, marker: string): Promise<void> {
  await leaveUnfinished(client, bytes, at, marker);
  await client.send(bytes.subarray(at));
}
