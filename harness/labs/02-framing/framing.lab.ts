// Lab 2's hidden scenarios: each one talks to the learner's frame echo server over real TCP.
// Every connection is opened with the frames view, so a failure shows frame boundaries.

import { findLab } from '../../manifest.ts';
import { defineLab, type ScenarioContext } from '../../kit/scenario.ts';
import { pseudoRandomBytes } from '../../kit/data.ts';
import { FRAME_HEADER_BYTES, FRAME_LIMIT, frame, header } from '../../kit/frames.ts';
import { expectEcho, leaveUnfinished, sendCut } from './frame-echo.ts';

const open = (ctx: ScenarioContext, label: string) => ctx.connect(label, { view: 'frames' });

defineLab(findLab('framing')!, {
  'one-frame': async (ctx) => {
    const client = await open(ctx, 'client');
    await client.send(frame('hello, frames'));
    await expectEcho(client, 'hello, frames', 'the echo of the frame "hello, frames"');
    client.halfClose();
    await client.expectClose({ what: 'the program to close its side after the client half-closed' });
  },

  'empty-body': async (ctx) => {
    const client = await open(ctx, 'client');
    await client.send(frame(''));
    await expectEcho(client, '', 'the echo of the empty frame (4 zero bytes)');
    // Empty frames between others must not put the stream out of step.
    await client.sendCoalesced([frame(''), frame('between two empty frames'), frame('')]);
    await expectEcho(client, '', 'the echo of the first of three frames sent in one write (an empty one)');
    await expectEcho(client, 'between two empty frames', 'the echo of the second of three frames sent in one write');
    await expectEcho(client, '', 'the echo of the third of three frames sent in one write (an empty one)');
  },

  'every-cut': async (ctx) => {
    const client = await open(ctx, 'client');
    const cutMe = frame('cut me up');
    for (let at = 1; at < cutMe.length; at++) {
      const where = at < FRAME_HEADER_BYTES ? 'inside its header' : at === FRAME_HEADER_BYTES ? 'between its header and its body' : 'inside its body';
      await sendCut(client, cutMe, at, `before cut ${at}`);
      await expectEcho(client, 'cut me up', `the echo of the frame cut after byte ${at} of ${cutMe.length}, ${where}`);
    }
    // And once more, one byte per write, a little apart: most reads then hold a single byte.
    await client.sendSplit(cutMe, Array.from({ length: cutMe.length }, () => 1), 2);
    await expectEcho(client, 'cut me up', `the echo of the frame sent one byte per write`);
  },

  'coalesced-frames': async (ctx) => {
    const client = await open(ctx, 'client');
    const bodies = Array.from({ length: 100 }, (_, i) => `frame ${i + 1} of 100`);
    await client.sendCoalesced(bodies.map((body) => frame(body)));
    for (const [i, body] of bodies.entries()) await expectEcho(client, body, `the echo of frame ${i + 1} of the 100 sent in one write`);
  },

  'max-size-body': async (ctx) => {
    const client = await open(ctx, 'client');
    const body = pseudoRandomBytes(FRAME_LIMIT, 2);
    await client.send(frame(body), `one frame with a ${FRAME_LIMIT}-byte body, the largest allowed`);
    await expectEcho(client, body, `the echo of the frame with a ${FRAME_LIMIT}-byte body`);
    // The stream must still be in step after it.
    await client.send(frame('still in step?'));
    await expectEcho(client, 'still in step?', 'the echo of a small frame sent after the big one');
  },

  'utf8-split': async (ctx) => {
    const client = await open(ctx, 'client');
    const text = 'naïve café, 日本語, 👋🏽 ✓';
    const bytes = frame(text);
    // Pieces of 7, 13, 10 and 11 bytes: after the header, the cuts fall inside "ï" (2 bytes
    // in UTF-8), inside "日" (3 bytes) and inside "👋" (4 bytes).
    await client.sendSplit(bytes, [7, 13, 10], 5);
    await expectEcho(client, text, 'the echo of the text frame sent in 4 pieces, cut inside characters');
    await sendCut(client, bytes, FRAME_HEADER_BYTES + 26, 'before the emoji cut');
    await expectEcho(client, text, 'the echo of the text frame cut inside the emoji');
  },

  'two-clients': async (ctx) => {
    const ann = await open(ctx, 'Ann');
    const bob = await open(ctx, 'Bob');
    const annFrame = frame('Ann: the second frame');
    const bobFrame = frame('Bob: the second frame');
    // Each client leaves half a frame with the program, then the other one does the same.
    await leaveUnfinished(ann, annFrame, 10, 'Ann: the first frame');
    await leaveUnfinished(bob, bobFrame, 10, 'Bob: the first frame');
    await bob.send(bobFrame.subarray(10));
    await expectEcho(bob, 'Bob: the second frame', "the echo of Bob's second frame (Ann's half frame was still waiting)");
    await ann.send(annFrame.subarray(10));
    await expectEcho(ann, 'Ann: the second frame', "the echo of Ann's second frame");
  },

  'oversize-header': async (ctx) => {
    const bystander = await open(ctx, 'bystander');
    const bystanderFrame = frame('I was here before the intruder');
    await leaveUnfinished(bystander, bystanderFrame, 12, 'hello from the bystander');

    // One byte over the limit: a program that waits for the body (or reserves room for it)
    // never closes. The body is never sent.
    const over = await open(ctx, 'intruder (limit + 1)');
    await over.send(header(FRAME_LIMIT + 1), `a header announcing ${FRAME_LIMIT + 1} bytes, one over the limit; no body follows`);
    await over.expectClose({ what: `the program to close the connection after a header announcing ${FRAME_LIMIT + 1} bytes (over the limit), without waiting for the body` });

    // The largest length 4 bytes can announce: 4 GiB - 1.
    const huge = await open(ctx, 'intruder (4 GiB)');
    await huge.send(header(0xffffffff), 'a header announcing 4294967295 bytes (4 GiB - 1); no body follows');
    await huge.expectClose({ what: 'the program to close the connection after a header announcing 4294967295 bytes, without waiting for the body' });

    await bystander.send(bystanderFrame.subarray(12));
    await expectEcho(bystander, 'I was here before the intruder', "the echo of the bystander's frame, finished after the intruders were disconnected");
  },

  garbage: async (ctx) => {
    const bystander = await open(ctx, 'bystander');
    await bystander.send(frame('hello from the bystander'));
    await expectEcho(bystander, 'hello from the bystander', "the echo of the bystander's first frame");

    const talker = await open(ctx, 'client speaking text');
    await talker.send('hello, is this the chat room?\n', 'a line of text, not a frame');
    await talker.expectClose({ what: 'the program to close the connection of a client that sent a line of text instead of frames' });

    await bystander.send(frame('still there?'));
    await expectEcho(bystander, 'still there?', "the echo of the bystander's second frame, after the text client was disconnected");
  },
});
