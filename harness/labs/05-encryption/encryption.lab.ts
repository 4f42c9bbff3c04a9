// Lab 5's hidden scenarios: the harness makes its own handshakes with the learner's server
// (its own implementation of the channel, secure-channel.ts), plays the attacker on the wire
// (flipped bits, replays, reordering, frames from another connection, garbage hellos), and
// runs the learner's client through a man in the middle (mitm-proxy.ts) to test its side of
// the channel (docs/protocol.md, "Lab 5: the secure channel").
//
// As in labs 3 and 4, "nothing was delivered" is never checked by waiting: a member asks who
// is here, and nothing may arrive before the answer but notices.

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { findLab } from '../../manifest.ts';
import { defineLab, targetDir } from '../../kit/scenario.ts';
import { logIn, register, type Credentials } from '../../kit/accounts.ts';
import { checkSameNames, show } from '../../kit/chat-client.ts';
import { ScenarioFailure, check, within } from '../../kit/failure.ts';
import { frame } from '../../kit/frames.ts';
import { ClientProgram } from '../../kit/client-program.ts';
import { READY_WITHIN_MS } from '../../kit/program.ts';
import { ManInTheMiddle } from '../../kit/mitm-proxy.ts';
import { CHANNEL_VERSION, MAX_PLAINTEXT_BYTES, clientHello, fingerprint, fingerprintsIn, newEphemeral } from '../../kit/secure-channel.ts';
import { pseudoRandomBytes } from '../../kit/data.ts';
import { preview } from '../../kit/bytes.ts';
import { expectDroppedUnanswered, expectNoChatDelivered, messagesBeforeWho, securedRoom, securelyConnected, securelyLoggedIn, type Member } from './secure-room.ts';
import { TEST_HANDSHAKE_TIMEOUT_MS } from './test-settings.ts';

const lab = findLab('encryption')!;
const alice: Credentials = { name: 'alice', password: 'correct horse battery' };
const bob: Credentials = { name: 'bob', password: 'staple-tr0ub4dor-3' };
const carol: Credentials = { name: 'carol', password: 'carol likes long walks' };
const mallory: Credentials = { name: 'mallory', password: 'i am not alice, honest' };

/**
 * A learner's client program is a new node process: about 100 ms here, seconds on a loaded
 * machine. It gets as long to start as a server does, plus a conversation's round trips.
 */
const CLIENT_START_MS = READY_WITHIN_MS + 1500;
const CLIENT_EXIT_MS = 3000;
/** Room for a dropped connection's close to arrive after the server's handshake timer fires. */
const DROP_MARGIN_MS = 2500;

const json = (value: unknown) => JSON.stringify(value);

/**
 * Reads whatever was on its way to `member` (a "who" and everything before its answer), so
 * that after an attack on its connection, anything that arrives was sent because of it.
 */
async function quiet(member: Member): Promise<void> {
  await messagesBeforeWho(member);
}

/** Sends a sealed frame that must not open, and expects the server to drop that connection without a word. */
async function expectRefused(member: Member, bytes: Buffer, carried: Buffer, note: string, because: string): Promise<void> {
  await member.secure.sendSealed(bytes, carried, note);
  await member.secure.expectClose(`the server to close ${member.chat.who}'s connection without answering, because ${because}`);
}

/** A copy of `bytes` with one bit flipped at `offset`. */
function flipBit(bytes: Buffer, offset: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset]! ^= 0x01;
  return copy;
}

// ---- the learner's client program, through the man in the middle ----------------------------------

function startClient(proxy: ManInTheMiddle, knownServers: string, label: string): Promise<ClientProgram> {
  return ClientProgram.start(path.join(targetDir(), lab.folder, 'client.ts'), [String(proxy.port), '--known-servers', knownServers], label);
}

/**
 * First visit: the learner's client talks to the learner's server through a relay that only
 * passes bytes along. It must finish the handshake, get a sealed answer, exit with 0 once its
 * input ends, and remember the server's fingerprint. Returns the known-servers file's text.
 */
async function firstVisit(proxy: ManInTheMiddle, knownServers: string): Promise<string> {
  proxy.mode = 'relay';
  const client = await startClient(proxy, knownServers, 'your client (first visit, through a relay that passes every byte along)');
  try {
    client.type([json({ type: 'who' })]);
    const answered = await within(CLIENT_START_MS, "your server's sealed answer to your client's first request, relayed to your client", Promise.race([proxy.serverAnswered.then(() => true), client.exited.then(() => false)]));
    if (!answered) {
      throw new ScenarioFailure(`${client.label} ${client.status} before your server's answer to its first sealed request came back: it could not finish the handshake with the real server.`, {
        kind: 'closed',
        expected: 'your client makes the handshake, sends the request sealed and prints the answer',
        actual: `what your client printed:\n${client.lastLines()}`,
      });
    }
    client.endInput();
    await client.expectExit(CLIENT_EXIT_MS, 'exit once its input ended and the server closed the connection');
    check(client.code === 0, `${client.label} ${client.status} after a normal conversation: it should exit with code 0 when the server closes a working channel.`, {
      expected: 'exit code 0',
      actual: `what your client printed:\n${client.lastLines()}`,
    });
  } finally {
    await client.kill();
  }
  const real = fingerprint(proxy.serverIdentity!);
  const remembered = existsSync(knownServers) ? readFileSync(knownServers, 'utf8') : '';
  check(remembered.includes(real), `After its first visit, your client did not remember the server's key in its known-servers file.`, {
    expected: `a line with 127.0.0.1:${proxy.port} and ${real}`,
    actual: remembered === '' ? '(no file, or an empty one)' : remembered,
  });
  return remembered;
}

/**
 * An attack: the learner's client connects again, to the man in the middle in `mode`, and is
 * asked to log in. It must refuse the server's hello and exit with an error, before sending
 * anything the man in the middle can read, and leave its known-servers file as it was.
 */
async function expectAttackRefused(proxy: ManInTheMiddle, knownServers: string, remembered: string, mode: 'impostor' | 'swapped-key', label: string): Promise<ClientProgram> {
  proxy.mode = mode;
  const client = await startClient(proxy, knownServers, label);
  try {
    client.type([`/login ${alice.name} ${alice.password}`, 'this line is for the real server only']);
    client.endInput();
    await within(CLIENT_START_MS, `${label} to refuse the man in the middle and exit`, Promise.race([proxy.fooledClient, client.exited]));
    // A client that sent something just before exiting: its bytes may still be on their way.
    if (client.hasExited) await within(CLIENT_EXIT_MS, 'the connections of the man in the middle to close after your client exited', proxy.idle());
    if (proxy.stolen.length > 0) {
      throw new ScenarioFailure(`${label} did not notice the man in the middle: it sealed its messages with keys the man in the middle shares, and the man in the middle read them.`, {
        kind: 'mismatch',
        expected: 'your client refuses the hello and exits with an error, sending nothing',
        actual: `the man in the middle read: ${proxy.stolen.map((text) => text.toString('utf8')).join('\n')}`,
      });
    }
    check(client.code !== 0, `${label} ${client.status}: refusing a server must end with an error (a non-zero exit code), so that a script notices.`, {
      expected: 'a non-zero exit code, after a warning',
      actual: `what your client printed:\n${client.lastLines()}`,
    });
    const now = existsSync(knownServers) ? readFileSync(knownServers, 'utf8') : '';
    check(now === remembered, `${label} changed its known-servers file while refusing a man in the middle: the file must keep the real server's key.`, { expected: remembered, actual: now });
    return client;
  } finally {
    await client.kill();
  }
}

defineLab(lab, {
  handshake: async ({ connect }) => {
    const first = await securelyConnected(connect, 'client 1');
    // Three sealed requests one after the other, then three in one write: each answered, sealed, in order.
    for (let i = 1; i <= 3; i++) {
      await first.chat.send({ type: 'who' });
      await first.chat.expectError('not-logged-in', `a "who" before logging in is refused (sealed request ${i}, the counters are at ${i - 1})`);
    }
    await first.secure.sendCoalesced([{ type: 'who' }, { type: 'chat', text: 'hi' }, { type: 'who' }]);
    for (let i = 1; i <= 3; i++) await first.chat.expectError('not-logged-in', `none of the three sealed requests sent in one write is allowed before logging in (answer ${i} of 3)`);

    // A second connection: the same identity, but a fresh ephemeral key (forward secrecy).
    const second = await securelyConnected(connect, 'client 2');
    check(second.secure.identity.fingerprint === first.secure.identity.fingerprint, 'The server proved a different identity key on its second connection: the identity must be the same for every connection.', {
      expected: first.secure.identity.fingerprint,
      actual: second.secure.identity.fingerprint,
    });
    check(!second.secure.serverKey.equals(first.secure.serverKey), 'The server used the same ephemeral X25519 key for two connections: make a new key pair for every handshake, or one stolen key would open every recorded conversation.', {
      expected: 'two different "key" values in the two hellos',
      actual: `both hellos carry the key ${first.secure.serverKey.toString('base64')}`,
    });
    await second.chat.send({ type: 'who' });
    await second.chat.expectError('not-logged-in', 'a "who" before logging in is refused');
  },

  'login-and-chat': async ({ connect }) => {
    const a = await securelyConnected(connect, 'alice');
    await register(a.chat, alice);
    checkSameNames(await logIn(a.chat, alice), ['alice'], 'The welcome to alice');
    const b = await securelyConnected(connect, 'bob');
    await register(b.chat, bob);
    checkSameNames(await logIn(b.chat, bob), ['alice', 'bob'], 'The welcome to bob');
    await a.chat.expect({ type: 'joined', name: 'bob' }, { what: 'the notice that bob logged in' });

    await a.chat.say('hello, bob');
    await b.chat.expect({ type: 'chat', from: 'alice', text: 'hello, bob' }, { what: "alice's line, relayed to bob" });
    await b.chat.say('hi alice!');
    await a.chat.say('two lines in a row, to see the counters move');
    await a.chat.expect({ type: 'chat', from: 'bob', text: 'hi alice!' }, { what: "bob's answer, relayed to alice" });
    await b.chat.expect({ type: 'chat', from: 'alice', text: 'two lines in a row, to see the counters move' }, { what: "alice's second line, relayed to bob" });
    await a.chat.expectRoster(['alice', 'bob']);
    b.chat.quit();
    await a.chat.expect({ type: 'left', name: 'bob' }, { what: 'the notice that bob left' });
    await a.chat.expectRoster(['alice']);
  },

  'nothing-in-clear': async (ctx) => {
    const proxy = await ManInTheMiddle.start(ctx.program, ctx.transcript);
    try {
      const b = await securelyLoggedIn(ctx.connect, bob);
      const secretLine = 'the eagle lands at midnight';
      const reply = 'bring the blue folder';
      const client = await startClient(proxy, path.join(ctx.dataDir, 'known-servers'), 'your client (alice, through a relay)');
      try {
        client.type([`/register ${alice.name} ${alice.password}`, `/login ${alice.name} ${alice.password}`, secretLine]);
        await b.chat.expect({ type: 'joined', name: 'alice' }, { what: 'the notice that alice (your client) logged in', withinMs: CLIENT_START_MS });
        await b.chat.expect({ type: 'chat', from: 'alice', text: secretLine }, { what: "alice's line, typed into your client" });
        await b.chat.say(reply);
        await client.expectOutput(reply, CLIENT_EXIT_MS, `bob's line "${reply}"`);
        client.endInput();
        await client.expectExit(CLIENT_EXIT_MS, 'exit once its input ended');
      } finally {
        await client.kill();
      }
      const secrets: [what: string, text: string][] = [
        ["alice's password", alice.password],
        ["bob's password", bob.password],
        ["alice's chat line", secretLine],
        ["bob's chat line", reply],
      ];
      const captures: [where: string, bytes: Buffer][] = [
        ['the bytes between your client and your server', Buffer.concat(proxy.overheard)],
        ["the bytes your server sent to bob's connection", Buffer.concat(b.secure.received)],
      ];
      for (const [where, bytes] of captures) {
        for (const [what, text] of secrets) {
          const at = bytes.indexOf(Buffer.from(text, 'utf8'));
          check(at < 0, `${what} crossed the network in the clear: it is in ${where}, at byte ${at}.`, {
            expected: `no trace of "${text}" in the ${bytes.length} bytes captured`,
            actual: preview(bytes.subarray(Math.max(0, at - 24), at + text.length + 24), 120),
          });
        }
      }
    } finally {
      await proxy.close();
    }
  },

  'tampered-frame': async ({ connect }) => {
    const [b, a, c] = (await securedRoom(connect, [bob, alice, carol])) as [Member, Member, Member];
    // Alice's line with one bit of its text flipped: without a tag check it would read "leet me at noon".
    await quiet(a);
    const sealed = a.secure.seal({ type: 'chat', text: 'meet me at noon' });
    const offset = 4 + sealed.plaintext.indexOf('meet');
    await expectRefused(a, flipBit(sealed.frame, offset), sealed.plaintext, `a sealed chat line with bit 0 of byte ${offset} flipped on purpose (in the text: "meet" would read "leet")`, 'one bit of its sealed chat line was flipped');
    // Carol's line with one bit of its tag flipped: the text is intact, the proof is not.
    await quiet(c);
    const carolLine = c.secure.seal({ type: 'chat', text: 'carol was here' });
    const last = carolLine.frame.length - 1;
    await expectRefused(c, flipBit(carolLine.frame, last), carolLine.plaintext, `a sealed chat line with bit 0 of its last byte flipped on purpose (in the tag)`, 'one bit of the tag of its sealed chat line was flipped');
    await expectNoChatDelivered(b, 'both lines were altered on the way, so the server must have refused them');
  },

  'replayed-frame': async ({ connect }) => {
    const [b, a] = (await securedRoom(connect, [bob, alice])) as [Member, Member];
    await quiet(a);
    const sealed = a.secure.seal({ type: 'chat', text: 'pay bob 10 euros' });
    await a.secure.sendSealed(sealed.frame, sealed.plaintext);
    await b.chat.expect({ type: 'chat', from: 'alice', text: 'pay bob 10 euros' }, { what: "alice's line, relayed to bob" });
    await expectRefused(a, sealed.frame, sealed.plaintext, 'the same sealed frame again, byte for byte (a replay)', 'the frame it sent was a copy of the one before');
    await expectNoChatDelivered(b, 'the second copy of "pay bob 10 euros" was a replay, which the server must refuse');
  },

  'out-of-order': async ({ connect }) => {
    const [b, a, c] = (await securedRoom(connect, [bob, alice, carol])) as [Member, Member, Member];
    await quiet(a);
    const first = a.secure.seal({ type: 'chat', text: 'first' });
    const second = a.secure.seal({ type: 'chat', text: 'second' });
    await expectRefused(a, second.frame, second.plaintext, `alice's frame sealed second (counter ${second.counter}), sent before the one sealed first (counter ${first.counter})`, 'its frames arrived out of order');
    await quiet(c);
    const kept = c.secure.seal({ type: 'chat', text: 'this one is never sent' });
    const next = c.secure.seal({ type: 'chat', text: 'after a missing frame' });
    await expectRefused(c, next.frame, next.plaintext, `carol's frame with counter ${next.counter}; the one with counter ${kept.counter} was left out on purpose`, 'the frame before it never arrived');
    await expectNoChatDelivered(b, 'the frames came out of order or after a missing one, so the server must have refused them');
  },

  'cross-connection': async ({ connect }) => {
    const [b, a, m] = (await securedRoom(connect, [bob, alice, mallory])) as [Member, Member, Member];
    // Alice and mallory have both sent three frames (register, login, who): counter 3 is due on both.
    await quiet(a);
    await quiet(m);
    const sealed = a.secure.seal({ type: 'chat', text: 'from alice, on her own connection' });
    await a.secure.sendSealed(sealed.frame, sealed.plaintext);
    await b.chat.expect({ type: 'chat', from: 'alice', text: 'from alice, on her own connection' }, { what: "alice's line, relayed to bob" });
    await m.chat.expect({ type: 'chat', from: 'alice', text: 'from alice, on her own connection' }, { what: "alice's line, relayed to mallory" });
    await expectRefused(m, sealed.frame, sealed.plaintext, `the frame alice sealed on her connection (counter ${sealed.counter}), sent on mallory's connection where counter ${sealed.counter} is due too`, 'that frame was sealed with the keys of another connection');
    await expectNoChatDelivered(b, "mallory's connection carried a frame recorded on alice's, which the server must refuse");
  },

  'mitm-impostor': async (ctx) => {
    const proxy = await ManInTheMiddle.start(ctx.program, ctx.transcript);
    try {
      const knownServers = path.join(ctx.dataDir, 'known-servers');
      const remembered = await firstVisit(proxy, knownServers);
      const client = await expectAttackRefused(proxy, knownServers, remembered, 'impostor', 'your client (second visit, to a man in the middle with its own key)');
      const shown = fingerprintsIn(client.printed);
      check(shown.includes(proxy.impostorFingerprint), 'Your client refused the changed key, but its warning does not show the fingerprint it received: a person needs it to compare with the server\'s.', {
        expected: `a warning that shows ${proxy.impostorFingerprint}`,
        actual: `what your client printed:\n${client.lastLines()}`,
      });
    } finally {
      await proxy.close();
    }
  },

  'mitm-swapped-key': async (ctx) => {
    const proxy = await ManInTheMiddle.start(ctx.program, ctx.transcript);
    try {
      const knownServers = path.join(ctx.dataDir, 'known-servers');
      const remembered = await firstVisit(proxy, knownServers);
      await expectAttackRefused(proxy, knownServers, remembered, 'swapped-key', "your client (second visit, to a man in the middle that shows your server's identity and signature with its own key)");
    } finally {
      await proxy.close();
    }
  },

  'identity-persists': async ({ connect, program, restart }) => {
    const printedAtStart = (output: string, when: string): string => {
      const printed = fingerprintsIn(output);
      check(printed.length > 0, `Your server did not print its key's fingerprint ${when}, before its "listening on" line.`, {
        expected: 'a line such as "server key fingerprint: SHA256:" followed by 43 characters of base64',
        actual: output,
      });
      return printed.at(-1)!;
    };
    const printed = printedAtStart(program.outputTail(), 'at start');
    const first = await securelyConnected(connect, 'client 1');
    check(first.secure.identity.fingerprint === printed, 'The fingerprint your server printed is not the fingerprint of the identity key in its hello.', {
      expected: `${first.secure.identity.fingerprint} (SHA-256 of the 32-byte key, in base64 without "=")`,
      actual: printed,
    });
    const restarted = await restart();
    const printedAgain = printedAtStart(restarted.outputTail(), 'after a restart on the same data folder');
    const second = await securelyConnected(connect, 'client 2 (after the restart)');
    check(second.secure.identity.fingerprint === first.secure.identity.fingerprint, 'After a restart on the same data folder, your server proved another identity key: every client that knew it would now refuse it as a man in the middle.', {
      expected: first.secure.identity.fingerprint,
      actual: second.secure.identity.fingerprint,
    });
    check(printedAgain === printed, 'After a restart, your server printed another fingerprint than before.', { expected: printed, actual: printedAgain });
  },

  'login-before-handshake': async ({ connect }) => {
    for (const request of [
      { type: 'register', name: alice.name, password: alice.password },
      { type: 'login', name: alice.name, password: alice.password },
      { type: 'who' },
    ]) {
      const early = await connect(`${request.type} in the clear`, { view: 'frames' });
      await early.send(frame(json(request)), `a ${request.type} request in the clear, as the first frame, instead of a hello`);
      await expectDroppedUnanswered(early, `the server to close the connection without answering a ${request.type} sent before any handshake`);
    }
    // The server still serves a client that makes the handshake first.
    const later = await securelyLoggedIn(connect, alice);
    await later.chat.expectRoster(['alice']);
  },

  'garbage-handshake': async ({ connect }) => {
    const [b, a] = (await securedRoom(connect, [bob, alice])) as [Member, Member];
    await a.chat.say('before the garbage');
    await b.chat.expect({ type: 'chat', from: 'alice', text: 'before the garbage' }, { what: "alice's line before the garbage" });

    const key = newEphemeral().publicRaw;
    const hello = (fields: Record<string, unknown>) => frame(json({ ...clientHello(newEphemeral()), ...fields }));
    const garbage: [label: string, bytes: Buffer, note: string][] = [
      ['an HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), 'an HTTP request: its first 4 bytes, read as a length, announce over 1 GB'],
      ['random bytes', frame(pseudoRandomBytes(80, 5)), 'a frame of 80 random bytes instead of a hello'],
      ['not a hello', frame(json({ type: 'join', name: 'alice' })), 'a JSON message that is not a hello'],
      ['a short key', hello({ key: key.subarray(0, 31).toString('base64') }), 'a hello whose key has 31 bytes, not 32'],
      ['a key that is a number', hello({ key: 12345 }), 'a hello whose key is a number'],
      ['an all-zero key', hello({ key: Buffer.alloc(32).toString('base64') }), 'a hello whose key is 32 zero bytes (X25519 refuses it)'],
      ['another version', hello({ version: CHANNEL_VERSION + 1 }), `a hello of version ${CHANNEL_VERSION + 1}`],
    ];
    for (const [label, bytes, note] of garbage) {
      const client = await connect(label, { view: 'frames' });
      await client.send(bytes, note);
      await expectDroppedUnanswered(client, `the server to close the connection of a client that sent ${note}`);
    }

    await a.chat.say('after the garbage');
    await b.chat.expect({ type: 'chat', from: 'alice', text: 'after the garbage' }, { what: "alice's line after the garbage: the server must still serve everyone" });
    await b.chat.expectRoster(['bob', 'alice']);
  },

  'stalled-handshake': async ({ connect }) => {
    const [b, a] = (await securedRoom(connect, [bob, alice])) as [Member, Member];
    const silent = await connect('silent client', { view: 'frames' });
    const half = await connect('half a hello', { view: 'frames' });
    const connectedAt = performance.now();
    const wholeHello = frame(json(clientHello(newEphemeral())));
    await half.send(wholeHello.subarray(0, 20), `the first 20 of the ${wholeHello.length} bytes of a hello, and then nothing`);

    // While they hang there, the room carries on.
    await a.chat.say('anyone waiting?');
    await b.chat.expect({ type: 'chat', from: 'alice', text: 'anyone waiting?' }, { what: "alice's line, while two clients are stuck in their handshake" });

    const bound = () => Math.max(1, Math.round(TEST_HANDSHAKE_TIMEOUT_MS + DROP_MARGIN_MS - (performance.now() - connectedAt)));
    await silent.expectClose({ what: `the server to close a connection that sent nothing, once --handshake-timeout-ms (${TEST_HANDSHAKE_TIMEOUT_MS} ms) had passed`, withinMs: bound() });
    await half.expectClose({ what: `the server to close a connection that sent half a hello, once --handshake-timeout-ms (${TEST_HANDSHAKE_TIMEOUT_MS} ms) had passed`, withinMs: bound() });

    // Alice and bob finished their handshakes long ago: the timer is for handshakes only.
    await a.chat.say('still here');
    await b.chat.expect({ type: 'chat', from: 'alice', text: 'still here' }, { what: "alice's line after the stuck clients were dropped: connections that finished their handshake stay open" });
  },

  'message-sizes': async ({ connect }) => {
    const [b, a] = (await securedRoom(connect, [bob, alice])) as [Member, Member];
    // The longest line allowed, 1000 characters: the original room's RSA could carry 190 bytes.
    const longest = Array.from({ length: 1000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    await a.chat.say(longest);
    await b.chat.expect({ type: 'chat', from: 'alice', text: longest }, { what: "alice's line of 1000 characters, relayed to bob whole" });
    // 1000 characters of 3 bytes each, padded with JSON spaces to the largest sealed frame there is.
    const wide = '€'.repeat(1000);
    const message = json({ type: 'chat', text: wide });
    const padded = message.slice(0, -1) + ' '.repeat(MAX_PLAINTEXT_BYTES - Buffer.byteLength(message)) + '}';
    await a.secure.sendFrame(padded, `one sealed frame of the largest size: ${MAX_PLAINTEXT_BYTES} bytes of plaintext (a chat of 1000 "€", padded with JSON spaces), ${MAX_PLAINTEXT_BYTES + 16} bytes sealed`);
    await b.chat.expect({ type: 'chat', from: 'alice', text: wide }, { what: `alice's line of 1000 "€" (3000 bytes), sent in a sealed frame of the largest size, relayed to bob whole`, withinMs: 3000 });
    const received = await messagesBeforeWho(b);
    check(received.length === 0, 'bob received more than the two lines alice sent.', { expected: 'nothing before the answer to his "who"', actual: received.map(show).join('\n') });
  },
});
