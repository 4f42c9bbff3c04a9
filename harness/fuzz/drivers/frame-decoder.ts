// Fuzzes a frame decoder (lab 2's FrameDecoder): streams of frames, valid and mutated, fed in
// one push and again cut into random chunks. docs/protocol.md is the reference, written out
// below as the simplest decoder that could be: a 4-byte big-endian length, then the body; a
// length over the limit is an error as soon as its 4 bytes are there. For every input:
// - the frames returned, and when, are the reference's: after each push, exactly the frames
//   that the bytes so far complete, whatever the cuts (so no dependence on how TCP splits);
// - a length over the limit throws the module's FrameError, with a message, in the very push
//   that completes its header (before waiting for, or reserving room for, its body), and a
//   header within the limit never throws;
// - what the decoder keeps (`buffered`, when it has one) is exactly the unfinished frame,
//   never more than a header plus the limit: memory stays bounded whatever is announced;
// - a frame once returned is never changed by later pushes.

import { firstDifference } from '../../kit/bytes.ts';
import { attempt, FuzzFailure, type Driver } from '../engine.ts';
import { mutateBytes } from '../byte-mutators.ts';
import type { Random } from '../random.ts';

const HEADER_BYTES = 4;
const DEFAULT_LIMIT = 64 * 1024;
/** At most this many cuts per input: each push may copy what is pending, so more would cost time, not find more. */
const MOST_CUTS = 24;

export interface FramingModule {
  FrameDecoder: new () => { push(chunk: Uint8Array): Buffer[]; readonly buffered?: number };
  FrameError?: abstract new (...args: never[]) => Error;
  MAX_BODY_BYTES?: number;
}

interface Expected {
  /** Each complete frame's body and the offset in the stream where it ends. */
  frames: { body: Buffer; end: number }[];
  /** Where the first header over the limit ends, and what it announced. */
  error?: { end: number; announced: number };
}

/** The protocol, as plainly as it can be written. */
export function referenceDecode(stream: Buffer, limit: number): Expected {
  const frames: Expected['frames'] = [];
  let at = 0;
  while (stream.length - at >= HEADER_BYTES) {
    const length = stream.readUInt32BE(at);
    if (length > limit) return { frames, error: { end: at + HEADER_BYTES, announced: length } };
    if (stream.length - at - HEADER_BYTES < length) break;
    frames.push({ body: stream.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length), end: at + HEADER_BYTES + length });
    at += HEADER_BYTES + length;
  }
  return { frames };
}

export function frameDecoderDriver(framing: FramingModule): Driver {
  const limit = framing.MAX_BODY_BYTES ?? DEFAULT_LIMIT;
  const ErrorClass = framing.FrameError ?? Error;
  return {
    name: 'frame decoder',
    checks: `FrameDecoder.push(), whole and in random chunks, against the protocol: the same frames at the same time, ${ErrorClass.name} as soon as a header is over ${limit}, bounded memory`,
    make(random) {
      const { stream, steps } = generateStream(random, limit);
      const cuts = randomCuts(random, stream.length);
      return {
        input: stream,
        steps,
        check() {
          const expected = referenceDecode(stream, limit);
          check(framing, ErrorClass, limit, stream, [], expected, [...steps, 'pushed whole']);
          check(framing, ErrorClass, limit, stream, cuts, expected, [...steps, `pushed in ${cuts.length + 1} chunks, cut at ${cuts.join(', ') || 'nothing'}`]);
          if (expected.error) return 'refused: a length over the limit';
          const end = expected.frames.at(-1)?.end ?? 0;
          if (expected.frames.length === 0) return end === stream.length ? 'nothing (empty input)' : 'no whole frame yet';
          return end === stream.length ? 'whole frames' : 'whole frames, then an unfinished one kept';
        },
      };
    },
  };
}

/** Frames of varied sizes (some at the limit or just past it), often mutated, now and then pure noise. */
function generateStream(random: Random, limit: number): { stream: Buffer; steps: string[] } {
  const frames = () => {
    const parts: Buffer[] = [];
    for (let n = random.size(6); n > 0; n--) {
      const body = random.bytes(random.size(limit));
      const header = Buffer.alloc(HEADER_BYTES);
      header.writeUInt32BE(body.length);
      parts.push(header, body);
    }
    return Buffer.concat(parts);
  };
  const roll = random.float();
  if (roll < 0.35) return { stream: frames(), steps: ['valid frames'] };
  if (roll < 0.45) {
    // Text where frames belong: "GET " reads as a length of 1 195 725 856.
    return { stream: Buffer.from(random.pick(['GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'hello\n', '{"type":"who"}', 'SSH-2.0-OpenSSH_9.6\r\n', '\u0000\u0000\u0000'])), steps: ['text, not frames'] };
  }
  const { bytes, steps } = mutateBytes(random, frames(), frames);
  return { stream: bytes, steps: ['valid frames', ...steps] };
}

function randomCuts(random: Random, length: number): number[] {
  if (length < 2) return [];
  const cuts = new Set<number>();
  for (let n = random.int(MOST_CUTS + 1); n > 0; n--) cuts.add(random.chance(0.3) ? random.between(1, Math.min(8, length - 1)) : random.between(1, length - 1));
  return [...cuts].sort((a, b) => a - b);
}

function check(framing: FramingModule, ErrorClass: abstract new (...args: never[]) => Error, limit: number, stream: Buffer, cuts: number[], expected: Expected, steps: string[]): void {
  const fail = (why: string) => new FuzzFailure(why, stream, steps);
  const decoder = new framing.FrameDecoder();
  const returned: { body: Buffer; copy: Buffer }[] = [];
  let checked = 0;
  const bounds = [0, ...cuts, stream.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i]!, bounds[i + 1]!];
    const result = attempt(() => decoder.push(stream.subarray(from, to)), ErrorClass, stream, steps);
    if ('error' in result) {
      if (!expected.error) throw fail(`push() threw "${result.error.message}" for bytes ${from}–${to}, but no header there is over the limit of ${limit}`);
      if (to < expected.error.end) throw fail(`push() threw "${result.error.message}" for bytes ${from}–${to}, before the header over the limit (ending at byte ${expected.error.end}) was all there`);
      if (from >= expected.error.end) throw fail(`push() threw only for bytes ${from}–${to}: the header announcing ${expected.error.announced} bytes was complete at byte ${expected.error.end}, and had to be refused then, before waiting for its body`);
      expectFrames(returned, expected.frames.filter((f) => f.end <= from), `before the push that threw`, fail, checked);
      return;
    }
    if (!Array.isArray(result.value)) throw fail(`push() returned ${typeof result.value}, not an array of frame bodies`);
    for (const body of result.value) returned.push({ body, copy: Buffer.isBuffer(body) ? Buffer.from(body) : Buffer.alloc(0) });
    if (expected.error && to >= expected.error.end) throw fail(`push() accepted a header announcing ${expected.error.announced} bytes, over the limit of ${limit} (bytes ${expected.error.end - HEADER_BYTES}–${expected.error.end})`);
    const complete = expected.frames.filter((f) => f.end <= to);
    expectFrames(returned, complete, `after bytes 0–${to}`, fail, checked);
    checked = complete.length;
    const buffered = decoder.buffered;
    if (typeof buffered === 'number') {
      const pending = to - (complete.at(-1)?.end ?? 0);
      if (buffered !== pending) throw fail(`after bytes 0–${to} the decoder keeps ${buffered} bytes; the unfinished frame has ${pending}`);
      if (buffered >= HEADER_BYTES + limit) throw fail(`the decoder keeps ${buffered} bytes, more than a header and the limit (${HEADER_BYTES} + ${limit})`);
    }
  }
  if (expected.error) throw fail(`push() never refused the header announcing ${expected.error.announced} bytes, over the limit of ${limit}`);
  for (const [i, frame] of returned.entries()) {
    if (!frame.body.equals(frame.copy)) throw fail(`frame ${i + 1} changed after it was returned (its bytes are shared with what came later)`);
  }
}

/** Checks the frames returned so far against the protocol's; `checked` frames were already compared (each push adds a few). */
function expectFrames(returned: { body: Buffer }[], expected: { body: Buffer }[], when: string, fail: (why: string) => FuzzFailure, checked = 0): void {
  if (returned.length !== expected.length) throw fail(`${when}, push() had returned ${returned.length} frames; the protocol completes ${expected.length}`);
  for (let i = checked; i < expected.length; i++) {
    const [want, got] = [expected[i]!.body, returned[i]!.body];
    if (Buffer.isBuffer(got) && got.equals(want)) continue;
    const at = Buffer.isBuffer(got) ? firstDifference(want, got) : 0;
    throw fail(`${when}, frame ${i + 1} is wrong from byte ${at} on (${got?.length} bytes returned, ${want.length} expected)`);
  }
}
