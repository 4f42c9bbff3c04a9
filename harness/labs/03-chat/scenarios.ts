// Lab 3's scenarios, in the order they are taught. The manifest lists them; chat.lab.ts
// implements them; docs/03-chat.md describes them in "What the tests do".

import type { ScenarioSpec } from '../../manifest.ts';

export const chatScenarios: ScenarioSpec[] = [
  {
    id: 'two-clients',
    title: 'two clients join, chat with each other, ask who is here, and see each other leave',
    hint: 'Keep each client\'s state (its socket, its name once joined) in one object per connection, and the joined clients in one shared collection. Relay a chat line to every joined client except the one who sent it.',
  },
  {
    id: 'twenty-clients',
    title: '20 clients chat at once; each receives every other client\'s lines exactly once, in the same order, and never its own',
    hint: 'Relay each line as soon as it arrives, to every joined client but the sender, in one loop. Each client\'s socket keeps the order of what you write to it.',
  },
  {
    id: 'bad-names',
    title: 'names that are empty, too long, use forbidden characters, are reserved (like SERVER) or already taken are refused; the client can then pick a good one',
    hint: 'Check a name against the rules in protocol.ts before you accept it: its length, its characters (say which ones are allowed), the reserved names and the names in use, both ignoring upper/lower case. Refuse with an error and keep the connection open.',
  },
  {
    id: 'forged-sender',
    title: 'a client cannot speak as someone else: the server sets who a line is from, and refuses text with line breaks or other control characters',
    hint: 'Never forward the object a client sent: build a new chat message with the sender\'s name from your own per-client state. Refuse text that is empty, too long, or holds control characters (newline, carriage return, escape, U+2028…).',
  },
  {
    id: 'before-join',
    title: 'a client that has not joined yet receives no chat, cannot send any, and never sees lines sent before it joined',
    hint: 'Until a client has joined it is connected but not in the room: broadcast only to joined clients, answer its chat and who with a "not-joined" error, and keep no history to replay.',
  },
  {
    id: 'silent-client',
    title: 'clients that connect and send nothing, or half a frame, do not delay anyone else',
    hint: 'Never wait for one client: no loop that waits for its name, no serving clients one after the other. React to each "data" event with the frames it completed, keep the rest in that client\'s decoder, and return.',
  },
  {
    id: 'slow-reader',
    title: 'a client that stops reading is disconnected once too much piles up for it, while the others keep chatting at full speed',
    hint: 'socket.write() never waits: what the client does not read piles up in socket.writableLength. Check it after each write, disconnect the client past MAX_QUEUED_BYTES, and never wait for one client\'s "drain" before serving the others.',
    timeoutMs: 15_000,
  },
  {
    id: 'abrupt-disconnects',
    title: 'clients vanish in every way (half-close, reset, mid-frame) during a burst of chat; each is announced once and the room carries on',
    hint: 'Announce a departure in one place that runs exactly once per connection, whatever way it ended: the socket\'s "close" event. Keep an "error" listener on every socket, and free the name of a client that left.',
  },
  {
    id: 'bad-frames',
    title: 'invalid JSON, messages of the wrong shape and an oversized frame get an error message, and never crash the server',
    hint: 'Everything a client sends is untrusted: catch JSON.parse errors, check that the value is an object with a known "type" and fields of the right types, and answer "bad-message". A frame over the limit makes the decoder throw: answer "bad-frame" and close.',
  },
];
