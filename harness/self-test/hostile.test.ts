// The hostile suite: the finished room (lab 6's reference solution) attacked over loopback.
// After every attack, RoomUnderTest.expectHealthy() checks that the server is alive, that an
// honest member connected throughout heard every line, that a newcomer still gets in within a
// bound, that memory stayed bounded and that every file still parses.
//
// `npm test` runs it with bounded sizes; `npm run test:hostile` with the sizes
// (SOCKETLAB_HOSTILE=extended: 2,000 connection cycles, 500 silent connections, 50 stuck
// readers, 1,000 failed logins, 20 crashes). SOCKETLAB_HOSTILE_TARGET=labs attacks your own room.
// Each PRODUCT.md weakness has its regression test here, named after it.

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BENCH_PASSWORD, makeAccounts, seedStore } from '../bench/accounts.ts';
import { within } from '../kit/failure.ts';
import { frame, header } from '../kit/frames.ts';
import { churn } from '../kit/load.ts';
import { LearnerProgram } from '../kit/program.ts';
import { MAX_ANNOUNCED_ROOM, MAX_LISTED_NAMES, type RoomClient } from '../kit/room-client.ts';
import { clientHello, newEphemeral } from '../kit/secure-channel.ts';
import { Transcript } from '../kit/transcript.ts';
import { PASSWORD, RoomUnderTest, extended, hostileTarget, mib } from '../hostile/room-under-test.ts';
import { logFiles } from '../labs/06-audit/event-log-file.ts';
import { entryIn, findLab } from '../manifest.ts';

const size = (bounded: number, full: number) => (extended ? full : bounded);
/** The server's handshake time in these tests, and room for the close to arrive after it. */
const HANDSHAKE_MS = 1000;
const CLOSE_MARGIN_MS = 3000;

/** A plain TCP connection that records what it receives and when it closes. */
function rawConnection(port: number): Promise<{ socket: net.Socket; received: Buffer[]; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, received, closed }));
    socket.once('error', reject);
  });
}

const expectClosed = (closed: Promise<void>, what: string, ms = HANDSHAKE_MS + CLOSE_MARGIN_MS) => within(ms, `the server to close ${what}`, closed);

const helloFrame = () => frame(JSON.stringify(clientHello(newEphemeral())));

/** A member's connection must end because of what it sent. */
async function expectDropped(client: RoomClient, what: string): Promise<void> {
  await within(CLOSE_MARGIN_MS, `the server to close the connection that sent ${what}`, client.closed);
}

/** The answers a member gets to `bad` messages, one by one: each must be an error with `code`, the connection kept. */
async function expectRefusals(client: RoomClient, bad: (object | string)[], code: string): Promise<void> {
  for (const message of bad) {
    client.send(message);
    const answer = await client.expectAnswer('error', `the refusal of ${JSON.stringify(message).slice(0, 80)}`);
    expect(answer.code, `the error code for ${JSON.stringify(message).slice(0, 80)}`).toBe(code);
  }
}

const summary: { attack: string; ms: number; rss: string }[] = [];
afterAll(() => {
  console.log(`\nHostile suite (${extended ? 'extended' : 'bounded'} sizes) against ${hostileTarget}:`);
  for (const row of summary) console.log(`  ${row.attack.padEnd(64)} ${String(row.ms).padStart(6)} ms   peak RSS ${row.rss}`);
});

/** One attack on `room()`, then the health checks; the time and memory go into the summary. */
function attack(name: string, room: () => RoomUnderTest, run: (room: RoomUnderTest) => Promise<void>, timeout = 30_000): void {
  test(name, { timeout }, async () => {
    const started = performance.now();
    await run(room());
    await room().expectHealthy(name);
    summary.push({ attack: name, ms: Math.round(performance.now() - started), rss: mib(room().program.peakRssBytes) });
  });
}

describe('the room under attack on the wire', () => {
  let room: RoomUnderTest;
  const current = () => room;
  beforeAll(async () => {
    room = await RoomUnderTest.start();
    await room.seatHonestPair();
  });
  afterAll(() => room?.stop());

  // ---- PRODUCT.md's weaknesses, one regression test each ----------------------------------------

  attack('weakness 1: a frame sent one byte per write is still one message', current, async (room) => {
    const { client, name } = await room.member('splitter');
    const bytes = client.sealed({ type: 'chat', text: 'sent one byte at a time' });
    for (const byte of bytes) await new Promise<void>((resolve) => client.socket.write(Buffer.of(byte), () => resolve()));
    await room.listener.next((m) => m.type === 'chat' && m.from === name, 'the line sent one byte at a time');
    client.destroy();
  });

  attack('weakness 2: a length header announcing 4 GiB, before and after the handshake', current, async (room) => {
    const early = await rawConnection(room.port);
    early.socket.write(header(0xffffffff));
    await expectClosed(early.closed, 'a connection whose first frame announces 4 GiB');
    const { client } = await room.member('huge');
    client.socket.write(header(0xffffffff));
    await room.talkThrough(expectDropped(client, 'a header announcing 4 GiB'));
  });

  attack('weakness 3: a client that connects and says nothing stalls nobody, and is dropped', current, async (room) => {
    const silent = await rawConnection(room.port);
    const { client } = await room.member('meanwhile');
    await client.roundTrip();
    client.destroy();
    await expectClosed(silent.closed, 'a connection that never sends its hello');
  });

  attack(`weakness 4: ${size(10, 50)} clients that stop reading while others chat`, current, async (room) => {
    const stuck = await Promise.all(Array.from({ length: size(10, 50) }, () => room.member('stuck')));
    for (const { client } of stuck) client.socket.pause();
    // Long lines (3,000 bytes each), until the server has let every stuck reader go. The kernel
    // takes a few MiB per connection before the server's own queue grows, hence the bound: at
    // most 20,000 lines (60 MB). A paused socket does not see its close, so the talker's "who"
    // tells when they are gone.
    const line = '€'.repeat(1000);
    const names = new Set(stuck.map(({ name }) => name));
    let present: string[] = [];
    let sent = 0;
    for (let i = 0; i < 20_000; i++) {
      room.talker.send({ type: 'chat', text: line });
      sent++;
      if (i % 200 === 199) {
        present = await room.talker.roundTrip(10_000); // also a bounded window: the server keeps up
        if (!present.some((name) => names.has(name))) break;
      }
    }
    expect(present.filter((name) => names.has(name)), 'stuck readers still in the room after 60 MB of chat').toEqual([]);
    // Reading again, each finds its connection closed by the server.
    for (const { client } of stuck) client.socket.resume();
    await within(10_000, 'the stuck readers to find their connections closed', Promise.all(stuck.map(({ client }) => client.closed)));
    // The listener, who reads, got every long line.
    await room.listener.roundTrip(10_000);
    expect(room.listener.chatFrom(room.talker.label).filter((text) => text === line).length, 'long lines the reading listener got').toBe(sent);
  }, 120_000);

  attack('weakness 5: reserved names, a second login of one account, lines with line breaks', current, async (room) => {
    const client = await room.connect('impostor');
    await expectRefusals(client, [{ type: 'register', name: 'SERVER', password: PASSWORD }, { type: 'register', name: 'System', password: PASSWORD }], 'bad-name');
    await expectRefusals(client, [{ type: 'login', name: room.talker.label, password: PASSWORD }], 'already-online');
    const { client: member } = await room.member('forger');
    await expectRefusals(member, [{ type: 'chat', text: 'hi\n[SERVER] alice is an admin' }, { type: 'chat', text: 'tab\there' }, { type: 'chat', text: 'sep\u2028arator' }], 'bad-text');
    client.destroy();
    member.destroy();
  });

  attack('weakness 6: an unknown name is refused, not registered; hashes are salted', current, async (room) => {
    const client = await room.connect('stranger');
    await expectRefusals(client, [{ type: 'login', name: 'nobody-here', password: PASSWORD }], 'login-failed');
    expect(Object.keys(room.accounts())).not.toContain('nobody-here');
    const a = room.newName('twin');
    const b = room.newName('twin');
    await client.register(a, 'the very same password');
    await client.register(b, 'the very same password');
    const accounts = room.accounts();
    expect(accounts[a]!.password.salt).not.toBe(accounts[b]!.password.salt);
    expect(accounts[a]!.password.hash).not.toBe(accounts[b]!.password.hash);
    client.destroy();
  });

  attack('weakness 7: a login sent in the clear, before the handshake, is never answered', current, async (room) => {
    const raw = await rawConnection(room.port);
    raw.socket.write(frame(JSON.stringify({ type: 'login', name: room.talker.label, password: PASSWORD })));
    await expectClosed(raw.closed, 'a connection whose first frame is a login in the clear');
    expect(Buffer.concat(raw.received).length, 'bytes the server sent back to a plaintext login').toBe(0);
  });

  attack('weakness 8: the server proves one identity on every connection, the one it printed', current, async (room) => {
    const client = await room.connect('checker');
    expect(client.serverFingerprint).toBe(room.talker.serverFingerprint);
    expect(room.program.outputTail(200)).toContain(client.serverFingerprint);
    client.destroy();
  });

  attack('weakness 9: a 1000-character line of 3-byte characters arrives whole, with its sender', current, async (room) => {
    const { client, name } = await room.member('euro');
    const text = '€'.repeat(1000);
    client.send({ type: 'chat', text });
    const got = await room.listener.next((m) => m.type === 'chat' && m.from === name, 'the 3000-byte line');
    expect(got.text).toBe(text);
    client.destroy();
  });

  attack('weakness 10: a replayed frame closes the connection and is delivered once', current, async (room) => {
    const { client, name } = await room.member('replayer');
    const sealed = client.sealed({ type: 'chat', text: 'pay bob 10 coins' });
    client.socket.write(sealed);
    await room.listener.next((m) => m.type === 'chat' && m.from === name, 'the line before its replay');
    client.socket.write(sealed);
    await expectDropped(client, 'a replayed frame');
    await room.listener.roundTrip();
    expect(room.listener.chatFrom(name)).toEqual(['pay bob 10 coins']);
  });

  attack('weakness 12: no password, hash, salt or chat text in the audit report, the log or the statistics', current, async (room) => {
    const mark = room.program.outputMark;
    room.program.typeLine('audit save');
    await room.program.waitForOutput((line) => line.includes('audit-report.txt'), 'the path of the saved audit', { after: mark, withinMs: 3000 });
    const secrets = [PASSWORD, 'the very same password', 'honest line', 'pay bob', ...Object.values(room.accounts()).flatMap((a) => [a.password.salt, a.password.hash])];
    for (const file of ['audit-report.txt', 'stats.json', ...logFiles(room.dataDir)]) {
      const text = readFileSync(path.join(room.dataDir, file), 'utf8');
      for (const secret of secrets) expect(text.includes(secret), `${file} contains "${secret.slice(0, 24)}…"`).toBe(false);
    }
  });

  attack('weakness 13: every frame leaves in one write (no header stuck behind a delayed ACK)', current, async (room) => {
    const before = room.listener.partialReads;
    for (let i = 0; i < 20; i++) await room.listener.roundTrip();
    expect(room.listener.partialReads - before, 'reads that ended inside a frame').toBe(0);
  });

  // ---- malformed input ----------------------------------------------------------------------------

  attack('garbage before the handshake, inside the hello, and after it', current, async (room) => {
    const before = await rawConnection(room.port);
    before.socket.write(randomBytes(300));
    await expectClosed(before.closed, 'a connection that sent 300 random bytes first');

    for (const hello of ['not json', '[]', '{"type":"hello","version":1}', '{"type":"hello","version":2,"key":"AAAA"}', JSON.stringify({ type: 'hello', version: 1, key: Buffer.alloc(32).toString('base64') })]) {
      const raw = await rawConnection(room.port);
      raw.socket.write(frame(hello));
      await expectClosed(raw.closed, `a connection whose hello is ${hello.slice(0, 40)}`);
    }
    const after = await room.connect('garbage-after');
    after.socket.write(randomBytes(300));
    await room.talkThrough(expectDropped(after, '300 random bytes after the handshake'));
  });

  attack('a handshake that stops halfway is dropped at the handshake timeout', current, async (room) => {
    const raw = await rawConnection(room.port);
    const hello = helloFrame();
    raw.socket.write(hello.subarray(0, hello.length >> 1));
    await room.talkThrough(expectClosed(raw.closed, 'a connection that sent half a hello'));
  });

  attack('frames that fail authentication: a flipped bit, a frame from another connection', current, async (room) => {
    const { client } = await room.member('flipper');
    const sealed = client.sealed({ type: 'chat', text: 'tampered' });
    sealed[sealed.length - 1]! ^= 1;
    client.socket.write(sealed);
    await expectDropped(client, 'a frame with a flipped bit');
    const one = await room.member('one');
    const two = await room.member('two');
    two.client.socket.write(one.client.sealed({ type: 'chat', text: 'not yours' }));
    await expectDropped(two.client, "a frame sealed for another connection's keys");
    one.client.destroy();
  });

  attack('invalid JSON and valid JSON of the wrong shape, sealed', current, async (room) => {
    const { client } = await room.member('shapes');
    await expectRefusals(client, ['{', 'null', '[]', '"chat"', '{"type":"chat","text":5}', '{"type":"login","name":{},"password":1}', '{"type":"shout"}', '{"text":"no type"}'], 'bad-message');
    client.destroy();
  });

  attack('control characters and very long names and texts', current, async (room) => {
    const { client } = await room.member('longs');
    await expectRefusals(client, [{ type: 'chat', text: 'x'.repeat(1001) }, { type: 'chat', text: '\u0000\u0007\u001b[2J' }, { type: 'chat', text: '' }], 'bad-text');
    const stranger = await room.connect('long-names');
    await expectRefusals(stranger, [{ type: 'register', name: 'n'.repeat(10_000), password: PASSWORD }, { type: 'register', name: 'bell\u0007', password: PASSWORD }], 'bad-name');
    await expectRefusals(stranger, [{ type: 'register', name: room.newName('pw'), password: 'p'.repeat(10_000) }], 'bad-password');
    // A frame body over the limit (64 KiB): refused, and the connection closed.
    client.socket.write(client.sealed({ type: 'chat', text: 'y'.repeat(70_000) }));
    await expectDropped(client, 'a frame over the size limit');
    stranger.destroy();
  });

  // ---- many connections ---------------------------------------------------------------------------

  attack(`${size(300, 2000)} connect/disconnect cycles (half of them resets)`, current, async (room) => {
    await room.talkThrough(churn('127.0.0.1', room.port, new Transcript(), size(300, 2000), 50), 400);
  }, 120_000);

  attack(`${size(100, 500)} connections that open and never speak (slowloris)`, current, async (room) => {
    const silent = await Promise.all(Array.from({ length: size(100, 500) }, () => rawConnection(room.port)));
    const { client } = await room.member('amid-silence');
    await client.roundTrip();
    client.destroy();
    await room.talkThrough(within(HANDSHAKE_MS + 10_000, 'the server to close every silent connection', Promise.all(silent.map((s) => s.closed))));
  }, 60_000);

  attack('a client that sends its hello one byte per 100 ms is dropped at the handshake timeout', current, async (room) => {
    const raw = await rawConnection(room.port);
    const hello = helloFrame();
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < hello.length && !raw.socket.destroyed) raw.socket.write(hello.subarray(sent, ++sent));
    }, 100);
    try {
      await room.talkThrough(expectClosed(raw.closed, 'a connection dripping its hello one byte per 100 ms'));
    } finally {
      clearInterval(drip);
    }
    expect(sent, 'bytes of the hello sent before the server closed the connection').toBeLessThan(hello.length);
  });
});

describe('password guessing', () => {
  let room: RoomUnderTest;
  const current = () => room;
  beforeAll(async () => {
    // A lockout longer than the attack, so that "it holds" means exactly five checked guesses.
    room = await RoomUnderTest.start(['--lockout-ms', '600000']);
    await room.seatHonestPair();
  });
  afterAll(() => room?.stop());

  const guesses = size(100, 1000);
  attack(`${guesses} failed logins against one account from 20 connections`, current, async (room) => {
    const victim = room.talker.label;
    const attackers = await Promise.all(Array.from({ length: 20 }, (_, i) => room.connect(`guesser-${i}`)));
    const answers: string[] = [];
    const guessing = Promise.all(
      attackers.map(async (attacker, i) => {
        for (let n = i; n < guesses; n += attackers.length) {
          attacker.send({ type: 'login', name: victim, password: `guess ${n}` });
          answers.push(String((await attacker.expectAnswer('error', `the answer to guess ${n}`, 10_000)).code));
        }
      }),
    );
    await room.talkThrough(guessing, 400);
    expect(answers.filter((code) => code === 'login-failed').length, 'guesses actually checked').toBe(5);
    expect(answers.filter((code) => code === 'locked').length).toBe(guesses - 5);
    // The right password is refused too while the name is locked.
    attackers[0]!.send({ type: 'login', name: victim, password: PASSWORD });
    expect((await attackers[0]!.expectAnswer('error', 'the answer to the right password during the lockout')).code).toBe('locked');
    for (const attacker of attackers) attacker.destroy();
  }, 120_000);
});

describe('a crowd', () => {
  // Past about 2,850 members with names of 20 characters, a list of every name no longer fits in
  // a frame (64 KiB): the room used to crash on the next welcome. Lists stop at 1,000 names now,
  // and `more` says how many others are present. (The bounded size proves the cap; the extended
  // one goes past the old crash.) Joins and leaves are announced only while the room, counting
  // who comes or goes, has at most 1,000 members (MAX_ANNOUNCED_ROOM): telling every member of
  // every later join made the cost of a crowd grow as N².
  let room: RoomUnderTest;
  const current = () => room;
  const crowd = size(1_010, 3_000);
  let members: string[] = [];
  beforeAll(async () => {
    // The crowd's accounts are written into users.json before the start: registering thousands
    // through the room would time the store's rewrites, not the room.
    const names = Array.from({ length: crowd }, (_, i) => `crowd-${String(i).padStart(14, '0')}`); // 20 characters
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-hostile-'));
    seedStore(dataDir, (await makeAccounts(names)).accounts);
    room = await RoomUnderTest.start([], dataDir);
    await room.seatHonestPair();
    members = names;
  }, 60_000);
  afterAll(() => room?.stop());

  attack(`${crowd} members with names of 20 characters: a welcome or a who lists ${MAX_LISTED_NAMES} and says how many more; past ${MAX_ANNOUNCED_ROOM} members, nobody is told of each join and leave`, current, async (room) => {
    const joined: RoomClient[] = [];
    // The welcome to whoever came last (logins in a batch finish in any order): the fullest room.
    let welcome: Record<string, unknown> = {};
    const more = (answer: Record<string, unknown>) => Number(answer.more ?? 0);
    try {
      for (let i = 0; i < members.length; i += 50) {
        const batch = members.slice(i, i + 50);
        const clients = await Promise.all(batch.map((name) => room.connect(name)));
        joined.push(...clients);
        const welcomes = await Promise.all(clients.map((client, j) => client.login(batch[j]!, BENCH_PASSWORD, 10_000)));
        // They only listen from now on, and read without opening: the server's queues stay
        // empty, as with honest members, and this process is spared the N² decryptions. (Members
        // that stop reading are another attack: the stuck readers.)
        for (const client of clients) client.ignoreTheRest();
        for (const answer of welcomes) if (!welcome.present || more(answer) > more(welcome)) welcome = answer;
      }
      const inRoom = crowd + 2; // and the honest pair
      expect([(welcome.present as string[]).length, welcome.more], 'names listed and "more" in the last welcome').toEqual([MAX_LISTED_NAMES, inRoom - MAX_LISTED_NAMES]);
      room.listener.send({ type: 'who' });
      const who = await room.listener.expectAnswer('who', 'the answer to the listener\'s "who" in the crowd', 10_000);
      expect((who.present as string[]).slice(0, 2), 'the first names of the "who": the first to join').toEqual([room.talker.label, room.listener.label]);
      expect([(who.present as string[]).length, who.more], 'names listed and "more" in the "who"').toEqual([MAX_LISTED_NAMES, inRoom - MAX_LISTED_NAMES]);
    } finally {
      for (const client of joined) client.destroy();
    }
    // The listener heard of the first arrivals, while the room had room for notices (the honest
    // pair came first), and hears of the last departures, as many: the last one leaves the room
    // to the pair, itself again (the health checks that follow allow seconds, not the crowd).
    const announced = MAX_ANNOUNCED_ROOM - 2;
    const departures = (async () => {
      for (let i = 0; i < announced; i++) await room.listener.next((message) => message.type === 'left', `departure notice ${i + 1} of ${announced}`, 60_000);
    })();
    await within(60_000, `the honest listener to hear the last ${announced} of the crowd leave`, departures);
    expect(await room.listener.roundTrip(), 'who is here once the crowd has gone').toEqual([room.talker.label, room.listener.label]);
    const crowdNames = new Set(members);
    const notices = (type: string) => room.listener.messages.filter((message) => message.type === type && crowdNames.has(message.name as string)).length;
    expect([notices('joined'), notices('left')], '"joined" and "left" notices about the crowd, at the listener').toEqual([announced, announced]);
  }, 240_000);
});

describe('crashes and disks', () => {
  const rounds = size(3, 20);
  test(`SIGKILL during a burst of registrations, ${rounds} times: every acknowledged account survives, every file parses`, { timeout: 180_000 }, async () => {
    const room = await RoomUnderTest.start();
    try {
      const acknowledged: string[] = [];
      for (let round = 1; round <= rounds; round++) {
        const writers = await Promise.all(Array.from({ length: 8 }, (_, i) => room.connect(`burst-${round}-${i}`)));
        // Kill after a random number of acknowledgements: a moment chosen by an event, at random.
        const killAfter = 1 + Math.floor(Math.random() * 16);
        let acks = 0;
        let killed!: () => void;
        const killing = new Promise<void>((resolve) => (killed = resolve));
        const bursts = writers.map(async (writer, i) => {
          for (let n = 0; n < 10; n++) {
            const name = `r${round}w${i}n${n}`;
            writer.send({ type: 'register', name, password: PASSWORD });
            writer.send({ type: 'chat', text: 'not logged in: a refusal, and an event in the log' });
            // The chat line's refusal ("not-logged-in") is not the answer to the registration.
            const answer = await writer
              .next((m) => (m.type === 'registered' && m.name === name) || (m.type === 'error' && m.code !== 'not-logged-in'), `the answer to registering ${name}`)
              .catch(() => undefined);
            if (answer?.type === 'registered') {
              acknowledged.push(name);
              if (++acks === killAfter) killed();
            }
            if (!answer) return;
          }
        });
        await within(15_000, `${killAfter} registrations to be acknowledged in round ${round}`, killing);
        await room.crashAndRestart();
        await Promise.allSettled(bursts);
        for (const writer of writers) writer.destroy();
        expect(room.fileProblems(), `files after crash ${round}`).toEqual([]);
        const accounts = room.accounts();
        expect(acknowledged.filter((name) => !accounts[name.toLowerCase()]), `acknowledged accounts missing after crash ${round}`).toEqual([]);
      }
      // The last acknowledged account still logs in.
      const client = await room.connect('survivor');
      await client.login(acknowledged[acknowledged.length - 1]!, PASSWORD);
      client.destroy();
    } finally {
      await room.stop();
    }
  });

  test('a data folder that cannot be written: the registration is refused, not acknowledged, and the server says why', async () => {
    const room = await RoomUnderTest.start();
    try {
      await room.seatHonestPair();
      // The store writes users.json.tmp then renames it. Make that write fail: on Linux the
      // temporary file is a link to /dev/full (every write fails with ENOSPC, a full disk);
      // elsewhere a folder stands in its way (EISDIR).
      const temporary = path.join(room.dataDir, 'users.json.tmp');
      if (process.platform === 'linux') symlinkSync('/dev/full', temporary);
      else mkdirSync(temporary);
      const client = await room.connect('unlucky');
      const name = room.newName('nodisk');
      client.send({ type: 'register', name, password: PASSWORD });
      const answer = await client.expectAnswer('error', 'the answer to a registration the disk cannot take');
      expect(answer.code).toBe('server-error');
      // Said on stderr, which may arrive after the answer on the socket: reread it, within a bound.
      const deadline = performance.now() + 3000;
      while (!/could not save the account/.test(room.program.outputTail(20))) {
        if (performance.now() > deadline) throw new Error(`the server did not say it could not save the account; it printed:\n${room.program.outputTail(20)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(Object.keys(room.accounts())).not.toContain(name.toLowerCase());
      rmSync(temporary, { recursive: true, force: true });
      await client.register(name, PASSWORD); // the disk is back: the same name works
      client.destroy();
      await room.expectHealthy('a registration on a disk that could not take it');
    } finally {
      await room.stop();
    }
  });

  test('weakness 11: a damaged users.json is never replaced: the server refuses to start and leaves it as it was', async () => {
    const room = await RoomUnderTest.start();
    const damaged = '{"version":1,"accounts":{"alice":';
    await room.program.kill();
    writeFileSync(path.join(room.dataDir, 'users.json'), damaged);
    try {
      await expect(LearnerProgram.start({ entry: entryIn(hostileTarget, findLab('audit')!), args: ['--data', room.dataDir, '--host', '127.0.0.1'] })).rejects.toThrow(/exited with code 1/);
      expect(readFileSync(path.join(room.dataDir, 'users.json'), 'utf8')).toBe(damaged);
    } finally {
      await room.stop();
    }
  });
});
