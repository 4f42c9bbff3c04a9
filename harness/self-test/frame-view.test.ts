// Unit tests of the failure view's frames reading (lab 2 on): frame boundaries, splits and
// merges, unfinished frames, and honesty about the bytes the transcript did not keep.

import { describe, expect, test } from 'vitest';
import { frame, header } from '../kit/frames.ts';
import { Transcript } from '../kit/transcript.ts';
import { FrameReader } from '../report/frame-view.ts';
import { plainStyle } from '../report/style.ts';
import { renderTranscript } from '../report/transcript-view.ts';

/** Reads events of the given sizes, all kept in full. */
function readAll(reader: FrameReader, ...chunks: Buffer[]) {
  return chunks.map((chunk) => reader.read(chunk, chunk.length));
}

describe('frame reader', () => {
  test('one frame in one read: its length and body', () => {
    const [one] = readAll(new FrameReader('read'), frame('hello'));
    expect(one).toEqual({ parts: ['frame #1, length 5: "hello"'], whole: 1 });
  });

  test('a frame split across 3 reads, cut inside the header', () => {
    const bytes = frame('hello');
    const reader = new FrameReader('read');
    const [a, b, c] = readAll(reader, bytes.subarray(0, 2), bytes.subarray(2, 6), bytes.subarray(6));
    expect(a!.parts).toEqual(['start of frame #1: header bytes 1–2 of 4 <00 00>']);
    expect(b!.parts).toEqual(['more of frame #1: header bytes 3–4 of 4 <00 05>, length 5, body bytes 1–2 of 5 "he"']);
    expect(c!.parts).toEqual(['end of frame #1, length 5: "hello" (split across 3 reads)']);
    expect(reader.unfinished()).toBeUndefined();
    expect(readAll(new FrameReader('read'), bytes.subarray(0, 1))[0]!.parts).toEqual(['start of frame #1: header byte 1 of 4 <00>']);
  });

  test('2 frames in one read, then an unfinished one', () => {
    const reader = new FrameReader('read');
    const [both] = readAll(reader, Buffer.concat([frame('one'), frame(''), frame('three').subarray(0, 6)]));
    expect(both!.whole).toBe(2);
    expect(both!.parts).toEqual(['frame #1, length 3: "one"', 'frame #2, length 0: (empty body)', 'start of frame #3: length 5, body bytes 1–2 of 5 "th"']);
    expect(reader.unfinished()).toBe('frame #3 stopped after 2 of the 5 body bytes its header announced');
  });

  test('a header over the limit shows its bytes: text read as a length', () => {
    const [text] = readAll(new FrameReader('write'), Buffer.from('hello\n'));
    expect(text!.parts[0]).toMatch(/header "hell" announces 1751477356 B, over the 65536 B limit/);
    const [huge] = readAll(new FrameReader('write'), header(0xffffffff));
    expect(huge!.parts[0]).toMatch(/announces 4294967295 B, over the 65536 B limit/);
  });

  test('UTF-8 bodies read as text; a piece cut inside a character shows as bytes', () => {
    const bytes = frame('café');
    const reader = new FrameReader('read');
    const [a, b] = readAll(reader, bytes.subarray(0, 8), bytes.subarray(8));
    expect(a!.parts[0]).toBe('start of frame #1: length 5, body bytes 1–4 of 5 <63 61 66 c3>');
    expect(b!.parts[0]).toBe('end of frame #1, length 5: "café" (split across 2 reads)');
  });

  test('bytes not kept inside one body are stepped over: the next frame is still found', () => {
    const big = frame(Buffer.alloc(10_000, 0x61));
    const reader = new FrameReader('write');
    const first = reader.read(big.subarray(0, 4096), big.length);
    expect(first.parts).toEqual([`frame #1, length 10000: ${'"' + 'a'.repeat(40) + '"'} … (9960 more bytes)`]);
    expect(readAll(reader, frame('next'))[0]!.parts).toEqual(['frame #2, length 4: "next"']);
  });

  test('bytes not kept across frame boundaries: the reader says it lost count, and stays honest after', () => {
    const many = Buffer.concat(Array.from({ length: 100 }, () => frame(Buffer.alloc(100, 0x62))));
    const reader = new FrameReader('write');
    const event = reader.read(many.subarray(0, 4096), many.length);
    expect(event.parts.at(-1)).toMatch(/^then 6304 B the transcript did not keep .*frame boundaries from here on are unknown$/);
    expect(reader.read(frame('x'), 5).parts[0]).toMatch(/frame boundaries unknown/);
    expect(reader.unfinished()).toBeUndefined();
  });
});

describe('transcript view with frames', () => {
  test('lists the frames of one write under it, summing up a long list, and says what was left unfinished', () => {
    const transcript = new Transcript();
    const log = transcript.open('client', 'frames');
    log.bytes('sent', Buffer.concat([...Array.from({ length: 10 }, (_, i) => frame(`frame ${i + 1}`)), header(3)]));
    log.bytes('received', frame('frame 1').subarray(0, 3));
    const text = renderTranscript(transcript.connections, plainStyle).join('\n');
    expect(text).toContain('>> sent 115 B  pieces of 11 frames in one write:');
    expect(text).toContain('frame #1, length 7: "frame 1"');
    expect(text).toContain('… 6 more frames …');
    expect(text).toContain('start of frame #11: length 3');
    expect(text).toContain('<< received 3 B  start of frame #1: header bytes 1–3 of 4 <00 00 00>');
    expect(text).toContain("unfinished: the harness's frame #11 stopped after 0 of the 3 body bytes its header announced");
    expect(text).toContain("unfinished: your program's frame #1 stopped after 3 of its 4 header bytes");
  });

  test('a bytes-view connection is shown as bytes, as before', () => {
    const transcript = new Transcript();
    transcript.open('client').bytes('sent', frame('hi'));
    expect(renderTranscript(transcript.connections, plainStyle).join('\n')).toContain('>> sent 6 B  <00 00 00 02 68 69>');
  });
});
