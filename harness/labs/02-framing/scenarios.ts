// Lab 2's scenarios, in the order they are taught. The manifest lists them; framing.lab.ts
// implements them; docs/02-framing.md describes them in "What the tests do".

import type { ScenarioSpec } from '../../manifest.ts';

export const framingScenarios: ScenarioSpec[] = [
  {
    id: 'one-frame',
    title: 'a client sends one frame and gets the same frame back; when the client is done, the server closes too',
    hint: 'A frame is a 4-byte length (unsigned, big-endian: buf.readUInt32BE) followed by that many body bytes. Decode the frame, then send its body back with encodeFrame, header and body in one buffer.',
  },
  {
    id: 'empty-body',
    title: 'a frame with an empty body (length 0) comes back as an empty frame',
    hint: 'A length of 0 is a whole frame as soon as its 4 header bytes are there. Check your loop conditions: ">" where ">=" was meant leaves a frame waiting for bytes that will never come.',
  },
  {
    id: 'every-cut',
    title: 'a frame cut at every possible byte, inside its header and inside its body, still comes back whole',
    hint: 'A "data" chunk may end anywhere, even in the middle of the 4-byte header. Keep the bytes of an unfinished frame between chunks, and decode only once the header (then the whole body) is there.',
  },
  {
    id: 'coalesced-frames',
    title: '100 frames sent in one single write come back as 100 frames, in order',
    hint: 'One chunk can hold many frames. After decoding one, keep going over the bytes left in the same chunk: loop until less than a whole frame remains.',
  },
  {
    id: 'max-size-body',
    title: 'a frame whose body is exactly 64 KiB, the limit, is accepted and comes back',
    hint: 'The limit is the largest body allowed, not the first one refused: a body of exactly MAX_BODY_BYTES is fine. A frame this big also arrives in several chunks.',
  },
  {
    id: 'utf8-split',
    title: 'a text frame with accented letters and emoji, cut in the middle of characters, comes back byte for byte',
    hint: 'Decode bytes, not text. The length counts bytes, and one character can take up to 4 of them; a chunk turned into a string too early garbles a character cut in two.',
  },
  {
    id: 'two-clients',
    title: 'two clients send their frames in pieces, taking turns; each gets back exactly its own frames',
    hint: 'Each connection needs its own decoder, created in the connection handler: the unfinished frame of one client must never mix with the bytes of another.',
  },
  {
    id: 'oversize-header',
    title: 'a header announcing more than 64 KiB gets its connection closed at once, without waiting for the body; other clients carry on',
    hint: 'Check the announced length against the limit as soon as the 4 header bytes are there, before waiting for or allocating the body. A FrameError means: close this client\'s connection (socket.destroy()), and only this one.',
    ownProgram: true,
  },
  {
    id: 'garbage',
    title: 'a client that sends a line of text instead of frames is disconnected; other clients carry on',
    hint: 'Read as a header, text looks like a huge length: "hell" is 1 751 477 356. The length check that stops oversize frames also stops garbage: close that connection without waiting for a body.',
    ownProgram: true,
  },
];
