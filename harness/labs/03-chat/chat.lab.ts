// Lab 3's hidden scenarios: several harness clients join the learner's chat room over real
// TCP and check what each of them receives (docs/protocol.md, "Lab 3").
//
// "Nothing else arrived" is never checked by waiting: a client sends a request (a who, a
// refused chat) and its *next* message must be the answer. The server handles a socket's
// frames in order, so anything it wrongly sent before would have arrived first.

import { findLab } from '../../manifest.ts';
import { defineLab } from '../../kit/scenario.ts';
import { ChatClient, checkSameNames, show, type ChatMessage } from '../../kit/chat-client.ts';
import { ScenarioFailure, check } from '../../kit/failure.ts';
import { frame, header } from '../../kit/frames.ts';
import { ChatTraffic } from './chat-traffic.ts';

const json = (value: unknown) => JSON.stringify(value);

/** Slow-reader batches the talker sends ahead of what the listener has received. */
const IN_FLIGHT = 2;

defineLab(findLab('chat')!, {
  'two-clients': async ({ connect }) => {
    const alice = await ChatClient.connect(connect, 'alice');
    checkSameNames(await alice.join('alice'), ['alice'], 'The welcome to alice');
    const bob = await ChatClient.connect(connect, 'bob');
    checkSameNames(await bob.join('bob'), ['alice', 'bob'], 'The welcome to bob');
    await alice.expect({ type: 'joined', name: 'bob' }, { what: 'the notice that bob joined' });

    await alice.say('hello, bob');
    await bob.expect({ type: 'chat', from: 'alice', text: 'hello, bob' }, { what: "alice's line, relayed to bob" });
    await bob.say('hi alice!');
    await alice.expect({ type: 'chat', from: 'bob', text: 'hi alice!' }, { what: "bob's answer, relayed to alice (and not her own line back)" });
    await alice.expectRoster(['alice', 'bob']);

    bob.quit();
    await alice.expect({ type: 'left', name: 'bob' }, { what: 'the notice that bob left' });
    await alice.expectRoster(['alice']);
  },

  'twenty-clients': async ({ connect }) => {
    const rounds = 5;
    const names = Array.from({ length: 20 }, (_, i) => `user${String(i + 1).padStart(2, '0')}`);
    const clients: ChatClient[] = [];
    for (const name of names) clients.push(await ChatClient.joined(connect, name));
    // Each client hears, in order, of everyone who joined after it.
    for (const [i, client] of clients.entries()) {
      for (const later of names.slice(i + 1)) await client.expect({ type: 'joined', name: later }, { what: `the notice that ${later} joined` });
    }

    // Everyone talks at once, so the server receives the lines interleaved.
    for (let round = 1; round <= rounds; round++) await Promise.all(clients.map((client) => client.say(`round ${round} from ${client.who}`)));

    const expected = (names.length - 1) * rounds;
    const received = await Promise.all(clients.map((client) => client.collect(expected, `the lines of the ${names.length - 1} other clients`)));
    for (const [i, messages] of received.entries()) checkEachLineOnce(names[i]!, messages, names);
    checkSameOrder(names, received);
    // Nothing more is on its way: the next message each client gets is the answer to its who.
    for (const client of clients) await client.expectRoster(names);
  },

  'bad-names': async ({ connect }) => {
    const alice = await ChatClient.joined(connect, 'alice');
    const newcomer = await ChatClient.connect(connect, 'newcomer');
    const refusals: [name: string, code: string, because: string][] = [
      ['', 'bad-name', 'an empty name is not a name'],
      ['a'.repeat(21), 'bad-name', 'a name has at most 20 characters'],
      ['two words', 'bad-name', 'a space is not allowed in a name'],
      ['eve\nalice', 'bad-name', 'a line break is not allowed in a name'],
      ['nul\u0000', 'bad-name', 'a control character is not allowed in a name'],
      ['SERVER', 'bad-name', 'the name "SERVER" is reserved'],
      ['server', 'bad-name', 'the name "server" is reserved (upper or lower case makes no difference)'],
      ['System', 'bad-name', 'the name "System" is reserved (upper or lower case makes no difference)'],
      ['alice', 'name-taken', 'alice is already in the room'],
      ['ALICE', 'name-taken', '"ALICE" is alice\'s name in capitals, and alice is in the room'],
    ];
    for (const [name, code, because] of refusals) {
      await newcomer.send({ type: 'join', name });
      await newcomer.expectError(code, `${because} (the join was ${json({ type: 'join', name })})`);
    }
    // After all those refusals, a good name on the same connection: the longest allowed.
    const longest = 'twenty_chars_exactly';
    await newcomer.join(longest);
    await alice.expect({ type: 'joined', name: longest }, { what: `the notice that ${longest} joined (and no notice for any refused name)` });
  },

  'forged-sender': async ({ connect }) => {
    const alice = await ChatClient.joined(connect, 'alice');
    const bob = await ChatClient.joined(connect, 'bob');
    await alice.expect({ type: 'joined', name: 'bob' }, { what: 'the notice that bob joined' });

    for (const claimed of ['bob', 'SERVER']) {
      await alice.send({ type: 'chat', from: claimed, text: `I am ${claimed}, honest` }, `alice claims to be ${claimed}`);
      await bob.expect({ type: 'chat', from: 'alice', text: `I am ${claimed}, honest` }, { what: `alice's line with "from" set by the server to alice (she wrote "from": "${claimed}")` });
    }

    const refused: [text: string, because: string][] = [
      ['hi bob\nbob: I owe alice 100 euros', 'a newline would start a fake line from bob'],
      ['hi\r[SERVER] bob is banned', 'a carriage return would overwrite the start of the line'],
      ['hi\u2028bob: I agree', 'U+2028 is a line separator'],
      ['hi\u2029bob: I agree', 'U+2029 is a paragraph separator'],
      ['hi\u0085bob: I agree', 'U+0085 is a control character that ends lines'],
      ['\u001b[2K\u001b[1Gbob: I agree', 'ESC starts terminal commands (these erase the line)'],
      ['nul\u0000', 'U+0000 is a control character'],
      ['', 'an empty line says nothing'],
      ['x'.repeat(1001), 'chat text has at most 1000 characters'],
    ];
    for (const [text, because] of refused) {
      await alice.say(text);
      await alice.expectError('bad-text', `${because} (the text was ${show(text)})`);
    }
    // Bob receives the longest allowed line next: none of the refused ones came before it.
    const longest = 'y'.repeat(1000);
    await alice.say(longest);
    await bob.expect({ type: 'chat', from: 'alice', text: longest }, { what: "alice's 1000-character line, the longest allowed (and none of her refused lines)" });
  },

  'before-join': async ({ connect }) => {
    const early = await ChatClient.connect(connect, 'early');
    const alice = await ChatClient.joined(connect, 'alice');
    const bob = await ChatClient.joined(connect, 'bob');
    await alice.expect({ type: 'joined', name: 'bob' }, { what: 'the notice that bob joined' });
    await alice.say('said before carol joined');
    await bob.expect({ type: 'chat', from: 'alice', text: 'said before carol joined' }, { what: "alice's line, relayed to bob" });

    // The early client is connected, not joined: its first message from the server is a refusal.
    await early.say('can I talk yet?');
    await early.expectError('not-joined', 'it has not joined yet (and before this error it should have received nothing at all)');
    await early.send({ type: 'who' });
    await early.expectError('not-joined', 'who is for clients that have joined');

    checkSameNames(await early.join('carol'), ['alice', 'bob', 'carol'], 'The welcome to carol');
    for (const member of [alice, bob]) {
      await member.expect({ type: 'joined', name: 'carol' }, { what: `the notice that carol joined (and nothing she sent before joining)` });
    }
    await alice.say('said after carol joined');
    for (const member of [bob, early]) {
      await member.expect({ type: 'chat', from: 'alice', text: 'said after carol joined' }, { what: `alice's line said after carol joined (and no line from before)` });
    }
  },

  'silent-client': async ({ connect }) => {
    // Three clients that leave the server waiting, connected before anyone else.
    await connect('silent: sends nothing', { view: 'frames' });
    const halfHeader = await connect('silent: half a header', { view: 'frames' });
    await halfHeader.send(header(24).subarray(0, 2), 'the first 2 bytes of a 4-byte header, then nothing');
    const halfFrame = await connect('silent: half a frame', { view: 'frames' });
    await halfFrame.send(frame(json({ type: 'join', name: 'sleepy' })).subarray(0, 12), 'a header and the first 8 bytes of its body, then nothing');

    const alice = await ChatClient.joined(connect, 'alice');
    const bob = await ChatClient.joined(connect, 'bob');
    await alice.expect({ type: 'joined', name: 'bob' }, { what: 'the notice that bob joined' });
    await alice.say('is anyone blocking us?');
    await bob.expect({ type: 'chat', from: 'alice', text: 'is anyone blocking us?' }, { what: "alice's line, relayed to bob" });
    await bob.say('not at all');
    await alice.expect({ type: 'chat', from: 'bob', text: 'not at all' }, { what: "bob's answer, relayed to alice" });
    await alice.expectRoster(['alice', 'bob']);
  },

  'slow-reader': async ({ connect }) => {
    const listener = await ChatClient.joined(connect, 'listener');
    const talker = await ChatClient.joined(connect, 'talker');
    await listener.expect({ type: 'joined', name: 'talker' }, { what: 'the notice that talker joined' });
    const slow = await ChatClient.joined(connect, 'slow');
    await listener.expect({ type: 'joined', name: 'slow' }, { what: 'the notice that slow joined' });
    await talker.expect({ type: 'joined', name: 'slow' }, { what: 'the notice that slow joined' });
    slow.wire.stopReading();

    const traffic = new ChatTraffic();
    let slowLeft = false;
    // The listener must take in batch `b` while the talker sends the next ones: the room runs
    // at the speed of its readers, whatever `slow` does.
    const receive = async (b: number) => {
      for (let line = 1; line <= traffic.linesPerBatch; line++) {
        const what = `talker's line ${line} of batch ${b} (${traffic.mib(b)} MiB into the traffic), relayed to listener while slow does not read`;
        let message = await listener.next({ what });
        if (message.type === 'left' && message.name === 'slow') {
          check(!slowLeft, 'listener was told twice that slow left.', { actual: show(message) });
          slowLeft = true;
          message = await listener.next({ what });
        }
        check(message.type === 'chat' && message.from === 'talker' && message.text === traffic.text(b, line), `listener was waiting for ${what}, but received something else.`, {
          expected: show({ type: 'chat', from: 'talker', text: traffic.text(b, line) }),
          actual: show(message),
        });
      }
    };
    let sent = 0;
    while (sent < traffic.maxBatches && !slowLeft) {
      sent++;
      await talker.wire.send(traffic.batch(sent), `batch ${sent}: ${traffic.linesPerBatch} chat lines of ${traffic.textChars} characters in one write`);
      if (sent > IN_FLIGHT) await receive(sent - IN_FLIGHT);
    }
    for (let b = Math.max(1, sent - IN_FLIGHT + 1); b <= sent; b++) await receive(b);

    if (!slowLeft) {
      throw new ScenarioFailure(
        `slow stopped reading, and after ${traffic.mib(sent)} MiB of chat it was still in the room: the server kept queuing everything for it, without a limit.`,
        { kind: 'mismatch', expected: `the notice ${show({ type: 'left', name: 'slow' })} once more than MAX_QUEUED_BYTES waited for slow`, actual: `${sent * traffic.linesPerBatch} chat lines relayed, and no such notice` },
      );
    }
    await talker.expect({ type: 'left', name: 'slow' }, { what: 'the notice that slow left' });
    await listener.expectRoster(['listener', 'talker']);
  },

  'abrupt-disconnects': async ({ connect }) => {
    const watcher = await ChatClient.joined(connect, 'watcher');
    const talker = await ChatClient.joined(connect, 'talker');
    const leaving = ['quitter', 'resetter', 'midframe'];
    const leavers: ChatClient[] = [];
    for (const name of leaving) leavers.push(await ChatClient.joined(connect, name));
    for (const name of ['talker', ...leaving]) await watcher.expect({ type: 'joined', name }, { what: `the notice that ${name} joined` });
    for (const name of leaving) await talker.expect({ type: 'joined', name }, { what: `the notice that ${name} joined` });
    const stranger = await ChatClient.connect(connect, 'stranger (never joins)');
    const [quitter, resetter, midframe] = leavers as [ChatClient, ChatClient, ChatClient];

    // A burst of chat is on its way to everyone while the others vanish, each its own way.
    const burst = Array.from({ length: 200 }, (_, i) => `burst line ${i + 1} `.padEnd(200, '~'));
    const frames = (lines: string[]) => Buffer.concat(lines.map((text) => frame(json({ type: 'chat', text }))));
    await talker.wire.send(frames(burst.slice(0, 100)), 'burst lines 1-100 in one write');
    quitter.quit();
    resetter.wire.reset();
    await midframe.wire.send(frame(json({ type: 'chat', text: 'cut short' })).subarray(0, 9), 'the first 9 bytes of a frame, then the end of the stream');
    midframe.quit();
    stranger.wire.reset();
    await talker.wire.send(frames(burst.slice(100)), 'burst lines 101-200 in one write');

    // The watcher gets every line, in order, and exactly one notice per client that left.
    const messages = await watcher.collect(burst.length + leaving.length, `the 200 burst lines and a notice for each of ${leaving.join(', ')} leaving`);
    let nextLine = 0;
    const gone: string[] = [];
    for (const message of messages) {
      if (message.type === 'left') {
        check(typeof message.name === 'string' && leaving.includes(message.name), `watcher was told that ${show(message.name)} left, but only ${leaving.join(', ')} had joined and left.`, { actual: show(message) });
        check(!gone.includes(message.name), `watcher was told twice that ${message.name} left.`, { expected: 'one "left" notice per client', actual: show(message) });
        gone.push(message.name);
        continue;
      }
      check(message.type === 'chat' && message.from === 'talker' && message.text === burst[nextLine], `watcher was waiting for burst line ${nextLine + 1}, but received something else.`, {
        expected: show({ type: 'chat', from: 'talker', text: burst[nextLine] }),
        actual: show(message),
      });
      nextLine++;
    }
    checkSameNames(gone, leaving, 'The "left" notices the watcher received');
    const toldTalker = await talker.collect(leaving.length, `a notice for each of ${leaving.join(', ')} leaving`);
    for (const message of toldTalker) check(message.type === 'left', 'talker was waiting for the "left" notices, but received something else.', { actual: show(message) });
    checkSameNames(toldTalker.map((message) => String(message.name)), leaving, 'The "left" notices the talker received');
    // The next message each gets answers its who: no second notice was on its way.
    await watcher.expectRoster(['watcher', 'talker']);
    await talker.expectRoster(['watcher', 'talker']);

    // A name is free again once its owner left.
    await ChatClient.joined(connect, 'quitter');
    await watcher.expect({ type: 'joined', name: 'quitter' }, { what: 'the notice that quitter joined again' });
  },

  'bad-frames': async ({ connect }) => {
    const probe = await ChatClient.joined(connect, 'probe');
    const malformed: [body: string | Uint8Array, because: string][] = [
      ['hello', 'the body is not JSON'],
      ['{"type":"chat","text":"cut sh', 'the JSON is cut short'],
      ['', 'an empty body is not JSON'],
      [Uint8Array.from([0xff, 0xfe, 0x00, 0x01]), 'these bytes are not even text'],
      ['[1,2,3]', 'a JSON array is not a message object'],
      ['"who"', 'a JSON string is not a message object'],
      ['null', 'null is not a message object'],
      ['{}', 'a message needs a "type"'],
      ['{"type":"dance"}', '"dance" is not a message type'],
      ['{"type":"chat"}', 'a chat message needs a "text"'],
      ['{"type":"chat","text":42}', 'a chat "text" must be a string'],
      ['{"type":"chat","text":["a","b"]}', 'a chat "text" must be a string'],
    ];
    for (const [body, because] of malformed) {
      await probe.send(body);
      await probe.expectError('bad-message', because);
    }
    await probe.expectRoster(['probe']);

    // A frame over the limit: the server says why, then hangs up.
    const giant = await ChatClient.connect(connect, 'giant');
    await giant.wire.send(header(1024 * 1024), 'a header announcing a 1 MiB body, over the 64 KiB limit');
    await giant.expectError('bad-frame', 'a 1 MiB frame is over the 64 KiB limit');
    await giant.wire.expectClose({ what: 'the server to close the connection after its "bad-frame" error' });

    // The room carries on.
    await probe.expectRoster(['probe']);
    const next = await ChatClient.joined(connect, 'next');
    await probe.expect({ type: 'joined', name: 'next' }, { what: 'the notice that next joined' });
    await next.expectRoster(['probe', 'next']);
  },
});

/**
 * Among the lines a client collected (as many as the others sent): none twice, none of its
 * own, none made up, and each sender's lines in the order that sender wrote them. With the
 * count right and no line twice, every line is there.
 */
function checkEachLineOnce(name: string, messages: ChatMessage[], names: string[]): void {
  const seen = new Set<string>();
  const lastRound = new Map<string, number>();
  for (const message of messages) {
    check(message.type === 'chat', `${name} received ${show(message)} where only chat lines were expected.`, { actual: show(message) });
    check(message.from !== name, `${name} received its own line back: a line goes to everyone except its sender.`, { actual: show(message) });
    const sender = String(message.from);
    const round = /^round (\d+) from (user\d\d)$/.exec(String(message.text));
    check(round !== null && round[2] === sender && names.includes(sender), `${name} received a line that no client sent that way.`, {
      expected: `a line like {"type":"chat","from":"user03","text":"round 2 from user03"}`,
      actual: show(message),
    });
    const key = `${sender}/${round[1]}`;
    check(!seen.has(key), `${name} received ${sender}'s round ${round[1]} line twice.`, { actual: show(message) });
    seen.add(key);
    const previous = lastRound.get(sender) ?? 0;
    check(Number(round[1]) > previous, `${name} received ${sender}'s round ${round[1]} line after its round ${previous} line: lines from one sender must keep their order.`, { actual: show(message) });
    lastRound.set(sender, Number(round[1]));
  }
}

/**
 * All clients saw the lines in one order, the order the server received them: any two
 * clients agree on the order of the lines neither of them wrote.
 */
function checkSameOrder(names: string[], received: ChatMessage[][]): void {
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const others = (messages: ChatMessage[]) => messages.filter((m) => m.from !== names[i] && m.from !== names[j]).map((m) => String(m.text));
      const a = others(received[i]!);
      const b = others(received[j]!);
      const at = a.findIndex((text, k) => text !== b[k]);
      if (at >= 0) {
        throw new ScenarioFailure(`${names[i]} and ${names[j]} received the other clients' lines in different orders: the server must relay each line to everyone as it receives it.`, {
          kind: 'mismatch',
          expected: `line ${at + 1} the same for both: ${names[i]} got "${a[at]}"`,
          actual: `${names[j]} got "${b[at]}"`,
        });
      }
    }
  }
}
