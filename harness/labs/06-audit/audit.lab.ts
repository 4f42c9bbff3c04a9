// Lab 6's hidden scenarios: the harness is the room's clients (through its own secure channel,
// as in lab 5) and its operator (typing on the program's standard input), and it reads the
// files the program keeps in its data folder (docs/protocol.md, "Lab 6: audit and shutdown").
//
// The harness knows every connection, login, failure and message it made, so it knows what the
// statistics and the event log must say, exactly (audit-model.ts, event-log-file.ts). It never
// sleeps to let the program catch up: a logoff is known to be counted once another member got
// the `left` notice, a save once stats.json shows it (reread within a few save periods), a line
// of the log once it is there (reread within a bound).

import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { findLab } from '../../manifest.ts';
import { defineLab, type ScenarioContext } from '../../kit/scenario.ts';
import { logIn, register, type Credentials } from '../../kit/accounts.ts';
import { show } from '../../kit/chat-client.ts';
import type { TestClient } from '../../kit/client.ts';
import { preview } from '../../kit/bytes.ts';
import { pseudoRandomBytes } from '../../kit/data.ts';
import { ScenarioFailure, check, within } from '../../kit/failure.ts';
import { expectRefusedToStart, type DamagedVersion } from '../../kit/damaged-file.ts';
import { frame } from '../../kit/frames.ts';
import { parseStore, readStore } from '../04-login/user-store.ts';
import { STORE_FILE, TEST_LOCKOUT_MS } from '../04-login/test-settings.ts';
import { TEST_HANDSHAKE_TIMEOUT_MS } from '../05-encryption/test-settings.ts';
import { expectDroppedUnanswered, securedRoom, securelyConnected, securelyLoggedIn, type Member } from '../05-encryption/secure-room.ts';
import { STATS_FILE, Tally, checkAudit, checkSavedStats, statsPath, waitForSavedStats, waitForStats, type Audit } from './audit-model.ts';
import { LOG_FILE, SOME_TEXT, checkEvents, checkTimesInOrder, logFiles, readLog, readLogFile, waitForLastEvent, type ExpectedEvent, type Step } from './event-log-file.ts';
import { ANSWER_MS, OperatorConsole, containsAll, expectMentioned, linesMentioning, numbersIn } from './operator-console.ts';
import { TEST_STATS_INTERVAL_MS } from './test-settings.ts';

const lab = findLab('audit')!;

const alice: Credentials = { name: 'alice', password: 'correct horse battery' };
const bob: Credentials = { name: 'bob', password: 'staple-tr0ub4dor-3' };
const carol: Credentials = { name: 'carol', password: 'carol likes long walks' };
const dave: Credentials = { name: 'dave', password: 'dave-was-here-2026' };
const eve: Credentials = { name: 'eve', password: 'eavesdropper #1' };

/** A save happens every --stats-interval-ms: ten periods is "a few" even on a loaded machine. */
const STATS_SAVED_MS = 10 * TEST_STATS_INTERVAL_MS;
/** Each event is written as it happens: this only covers the time to read the file back. */
const LOG_WRITTEN_MS = 1500;
/** Shutdown gives clients 2 s to close their side; ours close at once. Then it saves and exits. */
const EXIT_MS = 2000 + 2500;
/** How long a connection may take to close once the server decided to close it. */
const CLOSE_MS = 1500;
/**
 * With nothing to do, a program that does not spin uses a few milliseconds of CPU a second (6 ms
 * measured for the reference solution). One that spins uses all it gets: a whole processor on an
 * idle machine, less on a loaded one, since it shares the processors with everything that runs.
 * 10% is far above the first, and below the second unless twenty programs compete for two processors.
 */
const MAX_IDLE_CPU_SHARE = 0.1;

// ---- the room, as lab 5 left it ---------------------------------------------------------------------

/** The address the server sees for a connection of the harness: "127.0.0.1:53712". */
const addressOf = (client: TestClient): string => `${client.socket.localAddress}:${client.socket.localPort}`;
/** The IP address the server sees for a member (no port). */
const ipOf = (member: Member): string => member.secure.wire.socket.localAddress ?? '127.0.0.1';

/** A login that must be refused with `code`. */
async function refusedLogin(member: Member, name: string, password: string, code: string, because: string): Promise<void> {
  await member.chat.send({ type: 'login', name, password });
  await member.chat.expectError(code, because);
}

/** A connection that sends 80 random bytes as its first frame: the server must drop it unanswered. */
async function rejectedConnection(ctx: ScenarioContext, label: string, seed: number): Promise<TestClient> {
  const client = await ctx.connect(label, { view: 'frames' });
  await client.send(frame(pseudoRandomBytes(80, seed)), 'a frame of 80 random bytes instead of a hello');
  await expectDroppedUnanswered(client, `the server to close the connection of ${label}, whose first frame was not a hello`);
  return client;
}

/** `speaker` says each line in turn; each listener must receive each one. */
async function sayTo(speaker: Member, listeners: Member[], texts: string[]): Promise<void> {
  for (const text of texts) {
    await speaker.chat.say(text);
    for (const listener of listeners) await listener.chat.expect({ type: 'chat', from: speaker.chat.who, text }, { what: `${speaker.chat.who}'s line ${show(text)}, relayed to ${listener.chat.who}` });
  }
}

/** Everyone in `members` receives the notice that `name` joined. */
async function allSeeJoined(members: Member[], name: string): Promise<void> {
  for (const member of members) await member.chat.expect({ type: 'joined', name }, { what: `the notice that ${name} logged in` });
}

/** Everyone in `members` receives the notice that `name` left: the server has handled that close. */
async function allSeeLeft(members: Member[], name: string): Promise<void> {
  for (const member of members) await member.chat.expect({ type: 'left', name }, { what: `the notice that ${name} left` });
}

/** Waits until the server ends a member's connection (after "shutdown"), whatever it sent first; then closes our side too, as a client would. */
async function hungUpOn(member: Member): Promise<void> {
  const socket = member.secure.wire.socket;
  if (!socket.readableEnded && !socket.destroyed) {
    await within(
      CLOSE_MS + 2000,
      `the server to close ${member.chat.who}'s connection after "shutdown"`,
      new Promise<void>((resolve) => {
        socket.once('end', resolve);
        socket.once('close', resolve);
      }),
    );
  }
  if (socket.writable) member.chat.quit();
}

/** Waits for the program to exit after "shutdown". */
async function exitAfterShutdown(ctx: ScenarioContext): Promise<void> {
  await within(EXIT_MS, 'your program to exit after "shutdown", once every connection had closed and the statistics were saved', ctx.program.exited);
}

// ---- scenarios ---------------------------------------------------------------------------------------

defineLab(lab, {
  'counts-match': async (ctx) => {
    const since = Date.now();
    const operator = new OperatorConsole(ctx);
    const tally = new Tally();
    const first = await operator.auditJson('before any client connected');
    checkAudit(first, tally, 'Before any client connected', since);

    const a = await securelyConnected(ctx.connect, 'alice');
    tally.connected('alice');
    await register(a.chat, alice);
    await logIn(a.chat, alice);
    tally.loggedOn('alice', ipOf(a));

    const b = await securelyConnected(ctx.connect, 'bob');
    tally.connected('bob');
    await register(b.chat, bob);
    await refusedLogin(b, bob.name, 'not bobs password', 'login-failed', 'the password is wrong');
    tally.failedLogin('bob', 'a login with a wrong password');
    await refusedLogin(b, 'mallory', 'mallory guesses', 'login-failed', 'no account is called mallory');
    tally.uncounted('on the same connection, a login for "mallory", a name with no account');
    await logIn(b.chat, bob);
    tally.loggedOn('bob', ipOf(b));
    await allSeeJoined([a], 'bob');

    const twice = await securelyConnected(ctx.connect, 'alice, on a second connection');
    tally.connected('a second connection');
    await refusedLogin(twice, alice.name, alice.password, 'already-online', 'alice is logged in on another connection');
    tally.uncounted('on it, a login for alice with the right password, refused with already-online because alice is in the room');

    const aliceLines = ['hello bob', 'ça va? ✓ (this line has more bytes than characters)'];
    await sayTo(a, [b], aliceLines);
    tally.said('alice', aliceLines);
    await a.chat.send({ type: 'chat', text: '' });
    await a.chat.expectError('bad-text', 'an empty chat line is refused');
    tally.uncounted('alice sent an empty chat line, refused with bad-text and relayed to nobody');
    await sayTo(b, [a], ['hi alice']);
    tally.said('bob', ['hi alice']);

    tally.connected('a client called "junk"');
    await rejectedConnection(ctx, 'junk', 61);
    tally.rejected('junk', 'sent 80 random bytes instead of a hello');

    const e = await securelyConnected(ctx.connect, 'eve');
    tally.connected('eve');
    await register(e.chat, eve);
    for (let i = 1; i <= 5; i++) {
      await refusedLogin(e, eve.name, `eve's wrong guess ${i}`, 'login-failed', `the password is wrong (eve's guess ${i} of 5)`);
      tally.failedLogin('eve', `wrong password, guess ${i} of 5`);
    }
    await refusedLogin(e, eve.name, eve.password, 'locked', `5 logins for eve failed in a row: the name is locked for ${TEST_LOCKOUT_MS} ms`);
    tally.failedLogin('eve', 'the right password, refused because 5 failures in a row had locked the name');

    const d = await securelyLoggedIn(ctx.connect, dave);
    tally.connected('dave');
    tally.loggedOn('dave', ipOf(d));
    await allSeeJoined([a, b], 'dave');
    d.secure.wire.reset();
    await allSeeLeft([a, b], 'dave');
    tally.loggedOff('dave', 'vanished: the harness reset its connection (RST)');
    b.chat.quit();
    await allSeeLeft([a], 'bob');
    tally.loggedOff('bob', 'quit: the harness closed its side of the connection (FIN)');

    const last = await operator.auditJson('after all of that');
    checkAudit(last, tally, 'After all of that', since);
    check(last.uptimeMs > first.uptimeMs, `"uptimeMs" did not grow between two audits: it is the time since the server started, so each audit shows more than the one before.`, {
      expected: `more than ${first.uptimeMs} (the first audit's), a conversation later`,
      actual: String(last.uptimeMs),
    });
  },

  'audit-table': async (ctx) => {
    const operator = new OperatorConsole(ctx);
    const tally = new Tally();
    const a = await securelyConnected(ctx.connect, 'alice');
    tally.connected('alice');
    await register(a.chat, alice);
    for (const guess of ['alice guess one', 'alice guess two']) {
      await refusedLogin(a, alice.name, guess, 'login-failed', 'the password is wrong');
      tally.failedLogin('alice', 'a wrong password');
    }
    await logIn(a.chat, alice);
    tally.loggedOn('alice', ipOf(a));
    const [b, c] = (await securedRoomAfter(ctx, [a], [bob, carol], tally)) as [Member, Member];
    tally.connected('a client called "junk"');
    await rejectedConnection(ctx, 'junk', 62);
    tally.rejected('junk', 'sent 80 random bytes instead of a hello');

    const lines: [Member, string[]][] = [
      [a, ['one', 'two, a longer line', 'three: the longest line of all, by far']],
      [b, ['hi']],
      [c, ['bye now', 'really, bye']],
    ];
    for (const [speaker, texts] of lines) {
      await sayTo(speaker, [a, b, c].filter((m) => m !== speaker), texts);
      tally.said(speaker.chat.who, texts);
    }
    c.chat.quit();
    await allSeeLeft([a, b], 'carol');
    tally.loggedOff('carol', 'quit');

    const help = await operator.command('help', 'with alice and bob in the room');
    expectMentioned(help.lines, ['who', 'audit', 'shutdown'], '"help" lists the console commands', 'help');

    const who = await operator.command('who', 'with alice and bob in the room (carol has left)');
    expectMentioned(who.lines, ['alice', 'bob'], 'alice and bob are logged in', 'who');
    check(linesMentioning(who.lines, 'carol').length === 0, 'The answer to "who" mentions carol, who has left: "who" lists who is logged in now.', {
      expected: 'alice and bob, and nobody else',
      actual: who.lines.join('\n'),
    });

    const unknown = await operator.command('frobnicate', 'a command that does not exist');
    check(
      unknown.lines.some((line) => line.includes('frobnicate') && /help/i.test(line)),
      'Your program did not answer an unknown command with a line that names it and points to "help": a person who mistypes must learn that nothing happened.',
      { expected: 'unknown command "frobnicate": type help', actual: unknown.lines.join('\n') || '(nothing)' },
    );

    const table = await operator.command('audit', 'after alice, bob and carol chatted and carol left');
    const rows = new Set<string>();
    for (const [name, user] of tally.users) {
      const candidates = linesMentioning(table.lines, name);
      const figures = [user.logons, user.logoffs, user.failedLogins, user.messages, user.bytes];
      const row = candidates.find((line) => containsAll(numbersIn(line), figures));
      const shown = candidates.length ? ` (the line that names ${name} shows the numbers ${candidates.map((line) => numbersIn(line).join(' ') || 'none').join('; ')})` : '';
      check(row !== undefined, `The table printed by "audit" has no row for ${name} with its figures: ${figures.join(', ')}${shown}.`, {
        expected: `a line with "${name}" and the numbers logons ${user.logons}, logoffs ${user.logoffs}, failed logins ${user.failedLogins}, messages ${user.messages}, bytes ${user.bytes} (what the harness did)`,
        actual: table.lines.join('\n') || '(nothing)',
      });
      rows.add(row);
    }
    const { now, total, rejected } = tally.connections;
    check(
      table.lines.some((line) => !rows.has(line) && containsAll(numbersIn(line), [now, total, rejected])),
      'The table printed by "audit" does not show the connection counts.',
      { expected: `a line with the numbers ${now} (open now), ${total} (in all) and ${rejected} (rejected)`, actual: table.lines.join('\n') || '(nothing)' },
    );
  },

  'audit-under-load': async (ctx) => {
    const since = Date.now();
    const operator = new OperatorConsole(ctx);
    const tally = new Tally();
    const CLIENTS = 20;
    const LINES = 10;
    const accounts: Credentials[] = Array.from({ length: CLIENTS }, (_, i) => ({ name: `user${String(i + 1).padStart(2, '0')}`, password: `password of user ${i + 1}` }));
    // Everyone logs in at once; the notices that others joined come in any order, and are read with the chat below.
    const members = await Promise.all(accounts.map((account) => securelyLoggedIn(ctx.connect, account)));
    for (const member of members) {
      tally.connected(member.chat.who);
      tally.loggedOn(member.chat.who, ipOf(member));
    }
    const texts = new Map(members.map((member, i) => [member.chat.who, Array.from({ length: LINES }, (_, j) => `line ${j + 1} from ${member.chat.who}${i % 2 ? ' — é' : ''}`)]));
    let done = false;
    const traffic = Promise.all([
      ...members.map(async (member) => {
        for (const text of texts.get(member.chat.who)!) await member.chat.say(text);
      }),
      ...members.map((member) => receiveRoom(member, texts, CLIENTS - 1)),
    ]).finally(() => (done = true));

    // The operator asks again and again while the room chats: each answer must come at once.
    const MIN_AUDITS = 3;
    const MAX_AUDITS = 100;
    const audits = (async () => {
      let previous: Audit | undefined;
      let slowest = 0;
      for (let n = 1; n <= MAX_AUDITS && (!done || n <= MIN_AUDITS); n++) {
        const asked = performance.now();
        const audit = await operator.auditJson(`while ${CLIENTS} clients chat, audit number ${n}`, ANSWER_MS);
        slowest = Math.max(slowest, performance.now() - asked);
        checkDuringLoad(audit, previous, tally, n, LINES);
        previous = audit;
      }
      operator.note(`the slowest answer to "audit json" under load took ${slowest.toFixed(1)} ms`);
    })();
    await Promise.all([traffic, audits]);

    for (const [name, lines] of texts) tally.said(name, lines);
    const last = await operator.auditJson(`once every line was relayed`);
    checkAudit(last, tally, `Once the ${CLIENTS * LINES} lines were relayed to everyone`, since);
  },

  shutdown: async (ctx) => {
    const since = Date.now();
    const operator = new OperatorConsole(ctx);
    const tally = new Tally();
    const room = (await securedRoom(ctx.connect, [alice, bob, carol])) as [Member, Member, Member];
    for (const member of room) {
      tally.connected(member.chat.who);
      tally.loggedOn(member.chat.who, ipOf(member));
    }
    const visitor = await securelyConnected(ctx.connect, 'visitor');
    visitor.secure.log.add('note', 'the visitor has made its handshake, and does not log in');
    tally.connected('a visitor, who made its handshake and did not log in');
    const early = await ctx.connect('a client still in its handshake (sent nothing yet)', { view: 'frames' });
    tally.connected('a client that has not sent its hello yet');
    await sayTo(room[0], room.slice(1), ['see you all']);
    tally.said('alice', ['see you all']);

    const everyone = [...room, visitor];
    const resets = new Map(everyone.map((member) => [member, undefined as string | undefined]));
    for (const member of everyone) member.secure.wire.socket.on('error', (err: NodeJS.ErrnoException) => resets.set(member, err.code ?? err.message));
    operator.type('shutdown');
    await Promise.all(
      everyone.map(async (member) => {
        const who = member.chat.who;
        let notice;
        try {
          notice = await member.chat.next({ what: `the sealed shutdown notice for ${who}` });
        } catch (err) {
          if (!(err instanceof ScenarioFailure) || err.details.kind !== 'closed') throw err;
          throw new ScenarioFailure(`${who}'s connection closed without the shutdown notice: every client whose handshake is done must get {"type":"shutdown","message":"…"}, sealed, before the server ends its connection.`, {
            ...err.details,
            expected: '{"type":"shutdown","message":"…"}, sealed, then a FIN',
          });
        }
        check(notice.type === 'shutdown' && typeof notice.message === 'string' && notice.message.trim() !== '', `After "shutdown", ${who} received something else than the shutdown notice.`, {
          expected: '{"type":"shutdown","message":"<a sentence for the person>"}',
          actual: show(notice),
        });
        await member.secure.expectClose(`the server to end ${who}'s connection after the shutdown notice, sending nothing more`, CLOSE_MS);
        const reset = resets.get(member);
        check(reset === undefined, `The server reset ${who}'s connection (${reset}) instead of ending it with a FIN: a reset may throw away what was still on its way, the shutdown notice too.`, {
          expected: 'socket.end() after the notice: the notice, then a FIN',
          actual: `a socket error: ${reset}`,
        });
        if (member !== visitor) tally.loggedOff(who, 'was told the server shuts down, and its connection ended');
        member.chat.quit();
      }),
    );
    await early.expectClose({ what: 'the server to close the connection of a client still in its handshake (it has no channel to say goodbye on)', withinMs: CLOSE_MS });
    await exitAfterShutdown(ctx);
    check(ctx.program.exitCode === 0, `After "shutdown", your program exited with code ${ctx.program.exitCode}: a clean stop exits with code 0, so that whatever started it knows all went well.`, {
      expected: 'exit code 0',
      actual: `exit code ${ctx.program.exitCode}`,
    });

    // What it left behind: every file whole, the statistics saved after the last logoff.
    const accounts = parseStore(readStore(ctx.dataDir, 'after the shutdown'), 'after the shutdown');
    for (const name of ['alice', 'bob', 'carol']) check(accounts.has(name), `After the shutdown, ${STORE_FILE} has no account "${name}".`, { actual: [...accounts.keys()].join(', ') || 'no accounts' });
    checkSavedStats(ctx.dataDir, tally, 'After the shutdown', since);
    const log = readLog(ctx.dataDir, since);
    const lastLine = log.at(-1);
    check(lastLine !== undefined && lastLine.value.event === 'server-stop' && lastLine.value.reason === 'shutdown', `The last line of the event log after "shutdown" is not {"event":"server-stop","reason":"shutdown"}: the server logs its stop last, once everything else is done.`, {
      expected: '{"time":"…","event":"server-stop","reason":"shutdown"}',
      actual: lastLine?.text ?? '(an empty log)',
    });
    for (const member of room) {
      const name = member.chat.who;
      check(log.some((line) => line.value.event === 'disconnect' && line.value.name === name), `The event log has no disconnect for ${name}, whose connection the shutdown ended.`, {
        expected: `{"event":"disconnect","address":"…","name":"${name}","reason":"shutdown"}, before server-stop`,
        actual: log.slice(-8).map((line) => line.text).join('\n'),
      });
    }
    // And the server starts again from those files.
    await ctx.restart();
    const again = await securelyConnected(ctx.connect, 'alice (after a new start)');
    await logIn(again.chat, alice);
  },

  'event-log': async (ctx) => {
    const since = Date.now();
    const steps: Step[] = [];
    const expect = (event: string, fields: Record<string, string | RegExp>, cause: string): ExpectedEvent => {
      const expected = { event, fields, cause };
      steps.push(expected);
      return expected;
    };
    expect('server-start', { address: `${ctx.program.host}:${ctx.program.port}` }, 'the server started listening');

    const junk = await ctx.connect('junk', { view: 'frames' });
    const J = addressOf(junk);
    expect('connect', { address: J }, 'the client "junk" connected');
    await junk.send(frame(pseudoRandomBytes(80, 63)), 'a frame of 80 random bytes instead of a hello');
    await expectDroppedUnanswered(junk, 'the server to close the connection of "junk", whose first frame was not a hello');
    expect('handshake-failed', { address: J, reason: SOME_TEXT }, '"junk" sent random bytes instead of a hello');
    expect('disconnect', { address: J, reason: 'handshake-failed' }, 'the server closed the connection of "junk"');

    const a = await securelyConnected(ctx.connect, 'alice');
    const A = addressOf(a.secure.wire);
    expect('connect', { address: A }, 'alice connected');
    await register(a.chat, alice);
    expect('register', { address: A, name: 'alice' }, 'alice registered');
    await logIn(a.chat, alice);
    expect('login', { address: A, name: 'alice' }, 'alice logged in');
    await a.chat.send({ type: 'chat', text: '' });
    await a.chat.expectError('bad-text', 'an empty chat line is refused');
    expect('protocol-error', { address: A, name: 'alice', code: 'bad-text' }, 'alice sent an empty chat line, refused with bad-text');

    const b = await securelyConnected(ctx.connect, 'bob');
    const B = addressOf(b.secure.wire);
    expect('connect', { address: B }, 'bob connected');
    await b.chat.send({ type: 'who' });
    await b.chat.expectError('not-logged-in', 'a "who" before logging in is refused');
    expect('protocol-error', { address: B, code: 'not-logged-in' }, 'bob asked "who" before logging in');
    await register(b.chat, bob);
    expect('register', { address: B, name: 'bob' }, 'bob registered');
    for (let i = 1; i <= 5; i++) {
      await refusedLogin(b, bob.name, `bob's wrong guess ${i}`, 'login-failed', `the password is wrong (guess ${i} of 5)`);
      const failed = { event: 'login-failed', fields: { address: B, name: 'bob', reason: 'wrong-password' }, cause: `bob's login with a wrong password (${i} of 5)` };
      // The fifth failure locks the name: its two lines, in either order.
      if (i < 5) steps.push(failed);
      else steps.push([failed, { event: 'lockout', fields: { address: B, name: 'bob' }, cause: "the fifth failure in a row locked bob's name" }]);
    }
    await refusedLogin(b, bob.name, bob.password, 'locked', '5 logins for bob failed in a row');
    expect('login-failed', { address: B, name: 'bob', reason: 'locked' }, 'bob tried again while his name was locked');
    await refusedLogin(b, 'nobody', 'no such account', 'login-failed', 'no account is called nobody');
    expect('login-failed', { address: B, name: 'nobody', reason: 'unknown-name' }, 'a login for "nobody", a name with no account');

    const c = await securelyConnected(ctx.connect, 'carol');
    const C = addressOf(c.secure.wire);
    expect('connect', { address: C }, 'carol connected');
    await register(c.chat, carol);
    expect('register', { address: C, name: 'carol' }, 'carol registered');
    await logIn(c.chat, carol);
    expect('login', { address: C, name: 'carol' }, 'carol logged in');
    await allSeeJoined([a], 'carol');
    await sayTo(c, [a], ['a chat line is not an event of the log']);
    c.secure.wire.reset();
    await allSeeLeft([a], 'carol');
    expect('disconnect', { address: C, name: 'carol', reason: 'reset' }, "the harness reset carol's connection (RST)");
    a.chat.quit();
    const last = expect('disconnect', { address: A, name: 'alice', reason: 'closed' }, 'alice quit: the harness closed its side of the connection (FIN)');

    const lines = await waitForLastEvent(ctx.dataDir, last, since, LOG_WRITTEN_MS);
    checkEvents(lines, steps, LOG_FILE);
    checkTimesInOrder(lines);
  },

  'no-secrets': async (ctx) => {
    const since = Date.now();
    const operator = new OperatorConsole(ctx);
    const wrongGuess = 'carol-forgot-her-password';
    const strangerPassword = 'mallory knows nothing';
    const said = ['the vault code is 7319', 'meet me under the old oak tree'];
    const [a, b] = (await securedRoom(ctx.connect, [alice, bob])) as [Member, Member];
    const c = await securelyConnected(ctx.connect, 'carol');
    await register(c.chat, carol);
    await refusedLogin(c, carol.name, wrongGuess, 'login-failed', 'the password is wrong');
    await logIn(c.chat, carol);
    await allSeeJoined([a, b], 'carol');
    await sayTo(a, [b, c], [said[0]!]);
    await sayTo(b, [a, c], [said[1]!]);
    const stranger = await securelyConnected(ctx.connect, 'mallory');
    await refusedLogin(stranger, 'mallory', strangerPassword, 'login-failed', 'no account is called mallory');

    // Everything the program can write: the log, the statistics, the console's answers, the report.
    await waitForLastEvent(ctx.dataDir, { event: 'login-failed', fields: { name: 'mallory' }, cause: 'a login for "mallory", a name with no account' }, since, LOG_WRITTEN_MS);
    await waitForStats(
      ctx.dataDir,
      (stats) => (stats.users.alice?.messages === 1 && stats.users.bob?.messages === 1 ? [] : ['the messages of alice and bob are not in it yet']),
      "alice's and bob's chat lines counted",
      STATS_SAVED_MS,
      'a stats.json in which alice and bob have sent one message each',
    );
    await operator.command('audit', 'after the conversation');
    await operator.command('who', 'after the conversation');
    const saving = operator.type('audit save');
    const saved = await ctx.program.waitForOutput((line) => line.includes('audit-report.txt'), 'the path of the audit report it wrote, after "audit save" (…/audit-report.txt)', { after: saving, withinMs: ANSWER_MS });
    const report = path.join(ctx.dataDir, 'audit-report.txt');
    check(existsSync(report), `Your program said it wrote the audit report, but there is no audit-report.txt in the data folder.`, { expected: report, actual: saved });
    const printed = await operator.linesFrom(0, (line) => line === saved, 'everything your program printed');

    const secrets = secretsOf(ctx.dataDir, [
      ["alice's password", alice.password],
      ["bob's password", bob.password],
      ["carol's password", carol.password],
      ["carol's wrong guess at her password", wrongGuess],
      ['the password of a login for "mallory", a name with no account', strangerPassword],
      ["alice's chat line", said[0]!],
      ["bob's chat line", said[1]!],
    ]);
    const places: [where: string, bytes: Buffer][] = [
      ...dataFiles(ctx.dataDir).map((file): [string, Buffer] => [`${path.relative(ctx.dataDir, file)} in the data folder`, readFileSync(file)]),
      ['what your program printed on its standard output', Buffer.from(`${printed.join('\n')}\n${saved}\n`)],
      ['what your program printed on its standard error (and output)', Buffer.from(ctx.program.outputTail(2000))],
    ];
    for (const [where, bytes] of places) {
      for (const secret of secrets) {
        const found = find(bytes, secret);
        if (!found) continue;
        throw new ScenarioFailure(`${secret.what} is in ${where}, ${found.form}. Whoever can read it (an operator, a backup, a log collector) learns what only its owner should know.`, {
          kind: 'mismatch',
          expected: `no trace of ${secret.what}: count events and bytes, log names and addresses, never what was typed`,
          actual: `…${preview(bytes.subarray(Math.max(0, found.at - 40), found.at + found.length + 40), 200)}…`,
        });
      }
    }
  },

  'log-rotation': async (ctx) => {
    const since = Date.now();
    const MAX_BYTES = 1024;
    const FILES = 3;
    const firstStart = `${ctx.program.host}:${ctx.program.port}`;
    const program = await ctx.restart(['--log-max-bytes', String(MAX_BYTES), '--log-files', String(FILES)]);
    const steps: ExpectedEvent[] = [
      { event: 'server-start', fields: { address: firstStart }, cause: 'the first start' },
      { event: 'server-start', fields: { address: `${program.host}:${program.port}` }, cause: `the start with --log-max-bytes ${MAX_BYTES} --log-files ${FILES}` },
    ];
    // About 8 KiB of events: fifty failed logins, each for another name, then six rejected connections.
    const hunter = await securelyConnected(ctx.connect, 'ghost hunter');
    const H = addressOf(hunter.secure.wire);
    steps.push({ event: 'connect', fields: { address: H }, cause: 'the ghost hunter connected' });
    const ghosts = Array.from({ length: 50 }, (_, i) => `ghost${String(i + 1).padStart(2, '0')}`);
    await hunter.secure.sendCoalesced(ghosts.map((name) => ({ type: 'login', name, password: 'there is no such account' })));
    for (const name of ghosts) {
      await hunter.chat.expectError('login-failed', `no account is called ${name}`);
      steps.push({ event: 'login-failed', fields: { address: H, name, reason: 'unknown-name' }, cause: `a login for "${name}", a name with no account` });
    }
    for (let i = 1; i <= 6; i++) {
      const junk = await rejectedConnection(ctx, `junk ${i}`, 70 + i);
      const J = addressOf(junk);
      steps.push(
        { event: 'connect', fields: { address: J }, cause: `junk ${i} connected` },
        { event: 'handshake-failed', fields: { address: J, reason: SOME_TEXT }, cause: `junk ${i} sent random bytes instead of a hello` },
        { event: 'disconnect', fields: { address: J, reason: 'handshake-failed' }, cause: `the server closed the connection of junk ${i}` },
      );
    }
    const lines = await waitForLastEvent(ctx.dataDir, steps.at(-1)!, since, LOG_WRITTEN_MS);

    const files = logFiles(ctx.dataDir);
    const wanted = [`${LOG_FILE}.2`, `${LOG_FILE}.1`, LOG_FILE];
    const written = lines.reduce((sum, line) => sum + Buffer.byteLength(line.text) + 1, 0);
    check(files.length <= FILES, `With --log-files ${FILES}, the data folder holds ${files.length} log files: keep ${FILES} in all, and delete the oldest when rotating.`, {
      expected: wanted.join(', '),
      actual: files.join(', '),
    });
    const byFile = files.map((file) => ({ file, size: statSync(path.join(ctx.dataDir, file)).size, lines: readLogFile(ctx.dataDir, file, since) }));
    for (const { file, size } of byFile) {
      check(size <= MAX_BYTES, `${file} holds ${size} bytes, past --log-max-bytes ${MAX_BYTES}: before writing a line that would take the file past the limit, rotate.`, {
        expected: `at most ${MAX_BYTES} bytes in each file`,
        actual: `${size} bytes (the log holds ${written} bytes in all)`,
      });
    }
    check(JSON.stringify(files) === JSON.stringify(wanted), `After more than ${FILES} × ${MAX_BYTES} bytes of events with --log-files ${FILES}, the log files are not ${wanted.join(', ')}: rotate by renaming each file one number up, so the newest events stay and only the oldest file is dropped.`, {
      expected: wanted.join(', '),
      actual: files.join(', ') || '(none)',
    });
    for (let i = 0; i + 1 < byFile.length; i++) {
      const older = byFile[i]!;
      const next = byFile[i + 1]!.lines[0];
      const room = MAX_BYTES - older.size;
      check(next !== undefined && Buffer.byteLength(next.text) + 1 > room, `${older.file} was rotated while the next line still fitted in it (${older.size} bytes, limit ${MAX_BYTES}): rotate only when a line would take the file past the limit, or the log keeps fewer events than it could.`, {
        expected: `${older.file} rotated only once the next line (${next ? Buffer.byteLength(next.text) + 1 : '?'} bytes) no longer fitted in its remaining ${room} bytes`,
        actual: `${older.size} bytes in ${older.file}`,
      });
    }
    // The kept lines are the newest events, all of them, in order, ending with the last one.
    checkEvents(lines, steps.slice(Math.max(0, steps.length - lines.length)), `the kept log files (${files.join(', ')})`);
    checkTimesInOrder(lines);
  },

  'stats-survive-restart': async (ctx) => {
    const since = Date.now();
    const operator = new OperatorConsole(ctx);
    const tally = new Tally();
    const a = await securelyConnected(ctx.connect, 'alice');
    tally.connected('alice');
    await register(a.chat, alice);
    await logIn(a.chat, alice);
    tally.loggedOn('alice', ipOf(a));
    const b = await securelyConnected(ctx.connect, 'bob');
    tally.connected('bob');
    await register(b.chat, bob);
    await refusedLogin(b, bob.name, 'not bobs password', 'login-failed', 'the password is wrong');
    tally.failedLogin('bob', 'a wrong password');
    await logIn(b.chat, bob);
    tally.loggedOn('bob', ipOf(b));
    await allSeeJoined([a], 'bob');
    await sayTo(a, [b], ['first line', 'second line']);
    tally.said('alice', ['first line', 'second line']);
    await sayTo(b, [a], ['a reply']);
    tally.said('bob', ['a reply']);
    tally.connected('a client called "junk"');
    await rejectedConnection(ctx, 'junk', 64);
    tally.rejected('junk', 'sent 80 random bytes instead of a hello');

    await waitForSavedStats(ctx.dataDir, tally, 'after the first conversation', since, STATS_SAVED_MS);
    const firstFile = statsIdentity(ctx.dataDir);
    const c = await securelyLoggedIn(ctx.connect, carol);
    tally.connected('carol');
    tally.loggedOn('carol', ipOf(c));
    await allSeeJoined([a, b], 'carol');
    await sayTo(c, [a, b], ['hello, both']);
    tally.said('carol', ['hello, both']);
    await waitForSavedStats(ctx.dataDir, tally, 'once carol had logged in and spoken', since, STATS_SAVED_MS);
    const secondFile = statsIdentity(ctx.dataDir);
    check(firstFile !== secondFile, `${STATS_FILE} is the same file before and after a save: it was rewritten in place. A crash in the middle of rewriting it leaves a cut-off file, and every statistic is lost.`, {
      expected: `a new file for each save (written beside ${STATS_FILE}, flushed, then renamed over it)`,
      actual: `the same file (inode ${firstFile}) before and after`,
    });

    // A clean stop, and a new start: the counts go on from where they were.
    operator.type('shutdown');
    await Promise.all([a, b, c].map(hungUpOn));
    for (const member of [a, b, c]) tally.loggedOff(member.chat.who, 'was disconnected by the shutdown');
    await exitAfterShutdown(ctx);
    tally.restarted('the operator typed "shutdown"; the server stopped, then started again on the same data folder');
    await ctx.restart();
    checkAudit(await operator.auditJson('after a shutdown and a new start'), tally, 'After a shutdown and a new start', since);

    // A crash, once the statistics were saved: nothing saved is lost.
    const a2 = await securelyConnected(ctx.connect, 'alice (after the restart)');
    tally.connected('alice, again');
    await logIn(a2.chat, alice);
    tally.loggedOn('alice', ipOf(a2));
    const b2 = await securelyConnected(ctx.connect, 'bob (after the restart)');
    tally.connected('bob, again');
    await logIn(b2.chat, bob);
    tally.loggedOn('bob', ipOf(b2));
    await allSeeJoined([a2], 'bob');
    await sayTo(a2, [b2], ['we are back']);
    tally.said('alice', ['we are back']);
    await waitForSavedStats(ctx.dataDir, tally, 'after the new start, once alice and bob had logged in again and alice had spoken', since, STATS_SAVED_MS);
    await ctx.crash();
    tally.restarted('once stats.json showed all of that, the server was killed (a crash: no chance to save anything), then started again');
    await ctx.restart();
    checkAudit(await operator.auditJson('after a crash and a new start'), tally, 'After a crash and a new start', since);

    // The accounts were kept through it all.
    const c2 = await securelyConnected(ctx.connect, 'carol (after the crash)');
    await logIn(c2.chat, carol);
  },

  'corrupt-stats': async ({ crash, restart, dataDir }) => {
    await crash();
    const damaged: DamagedVersion[] = [
      [Buffer.from('{\n  "version": 1,\n  "connections": {\n    "total": 12,\n    "rejected": 1\n  },\n  "users": {\n    "alice": {\n      "logons": 3,\n      "log'), 'cut off in the middle (what a crash during an in-place rewrite leaves)'],
      [Buffer.alloc(0), 'empty, 0 bytes (what a crash right after truncating it leaves)'],
      [Buffer.from('{"users":[]}\n'), 'valid JSON, but not statistics'],
    ];
    await expectRefusedToStart(restart, statsPath(dataDir), damaged, 'its next save replaces every statistic with a count from zero');
  },

  'stdin-closed': async (ctx) => {
    const operator = new OperatorConsole(ctx);
    const a = await securelyLoggedIn(ctx.connect, alice);
    await operator.auditJson('before its standard input is closed, while the console reads it');
    operator.endInput();
    // A round trip through the room: by its answer, the program has had every chance to see the end of its input.
    await a.chat.expectRoster(['alice']);

    // A measure of idle time the program itself keeps: a client that sends nothing is dropped once
    // --handshake-timeout-ms has passed. Meanwhile the program has nothing to do. The CPU time is
    // read at a heartbeat on either side, so that none of the start-up's work is counted.
    await ctx.program.nextHeartbeat();
    const cpuBefore = ctx.program.cpuMs;
    const from = performance.now();
    const silent = await ctx.connect('a silent client (the harness measures the CPU your program uses until it is dropped)', { view: 'frames' });
    await silent.expectClose({
      what: `the server to drop a client that sent nothing, once --handshake-timeout-ms (${TEST_HANDSHAKE_TIMEOUT_MS} ms) had passed, with its standard input closed`,
      withinMs: TEST_HANDSHAKE_TIMEOUT_MS + 2500,
    });
    await ctx.program.nextHeartbeat();
    const wall = performance.now() - from;
    const cpu = ctx.program.cpuMs - cpuBefore;
    operator.note(`with its input closed and nothing else to do, your program used ${cpu.toFixed(0)} ms of CPU time in ${wall.toFixed(0)} ms`);
    check(cpu / wall < MAX_IDLE_CPU_SHARE, `With its standard input closed and nothing to do, your program used ${cpu.toFixed(0)} ms of CPU time in ${wall.toFixed(0)} ms (${Math.round((100 * cpu) / wall)}% of a processor): something keeps running when it should wait, most likely a loop that keeps asking the closed input for another line.`, {
      expected: `under ${MAX_IDLE_CPU_SHARE * 100}% of a processor while idle (a server that waits on events uses almost nothing)`,
      actual: `${Math.round((100 * cpu) / wall)}%`,
    });

    // And the room still works.
    const b = await securelyLoggedIn(ctx.connect, bob);
    await allSeeJoined([a], 'bob');
    await sayTo(b, [a], ['is anyone still serving?']);
  },
});

// ---- helpers of the scenarios above -----------------------------------------------------------------

/** Logs in `accounts` one after the other, each seen joining by everyone before it; counts them in `tally`. */
async function securedRoomAfter(ctx: ScenarioContext, present: Member[], accounts: Credentials[], tally: Tally): Promise<Member[]> {
  const joined: Member[] = [];
  for (const account of accounts) {
    const member = await securelyLoggedIn(ctx.connect, account);
    tally.connected(account.name);
    tally.loggedOn(account.name, ipOf(member));
    await allSeeJoined([...present, ...joined], account.name);
    joined.push(member);
  }
  return joined;
}

/**
 * Reads what the room sends `member` until it has every other member's lines: in order per
 * sender, and nothing else but notices that someone joined (the logins were at the same time).
 */
async function receiveRoom(member: Member, texts: Map<string, string[]>, senders: number): Promise<void> {
  const who = member.chat.who;
  const next = new Map<string, number>();
  const total = [...texts].filter(([name]) => name !== who).reduce((sum, [, lines]) => sum + lines.length, 0);
  let got = 0;
  let notices = 0;
  while (got < total) {
    const message = await member.chat.next({ what: `line ${got + 1} of the ${total} lines the ${senders} others send, relayed to ${who}` });
    if (message.type === 'joined') {
      check(++notices <= senders, `${who} received more "joined" notices than there are other members.`, { actual: show(message) });
      continue;
    }
    const from = String(message.from);
    const lines = texts.get(from);
    check(message.type === 'chat' && lines !== undefined && from !== who, `${who} received something else than the others' chat lines.`, {
      expected: '{"type":"chat","from":"<another member>","text":"…"}',
      actual: show(message),
    });
    const index = next.get(from) ?? 0;
    check(message.text === lines[index], `${who} received ${from}'s lines out of order, or altered.`, { expected: show(lines[index]), actual: show(message) });
    next.set(from, index + 1);
    got++;
  }
}

/** An answer to `audit json` while the room chats: the figures as they are, never ahead, never going back. */
function checkDuringLoad(audit: Audit, previous: Audit | undefined, tally: Tally, n: number, lines: number): void {
  const { now, total, rejected } = tally.connections;
  check(audit.connections.now === now && audit.connections.total === total && audit.connections.rejected === rejected, `Audit ${n}, taken while ${now} logged-in clients chat, does not show their connections.`, {
    expected: JSON.stringify({ now, total, rejected }),
    actual: JSON.stringify(audit.connections),
  });
  for (const name of tally.users.keys()) {
    const user = audit.users[name];
    const before = previous?.users[name]?.messages ?? 0;
    check(user !== undefined && user.logons === 1 && user.messages >= before && user.messages <= lines, `Audit ${n}, taken while the room chats, shows impossible figures for ${name}: 1 logon, and between ${before} (the audit before) and ${lines} messages are possible.`, {
      expected: `"${name}":{"logons":1,"messages":<${before} to ${lines}>,…}`,
      actual: show(user),
    });
  }
}

/** Which file stats.json is: a file replaced by a rename is a new file, one rewritten in place is not. */
function statsIdentity(dataDir: string): bigint {
  return statSync(statsPath(dataDir), { bigint: true }).ino;
}


// ---- secrets --------------------------------------------------------------------------------------------

interface Secret {
  what: string;
  /** The secret written some way: as text, in hex (any case), in base64, or as raw bytes. */
  forms: { form: string; bytes?: Buffer; text?: string; anyCase?: boolean }[];
}

/** The secrets the harness typed, and those the program keeps (hashes, salts, the identity key's private bytes). */
function secretsOf(dataDir: string, typed: [what: string, text: string][]): Secret[] {
  const asText = ([what, text]: [string, string]): Secret => {
    const bytes = Buffer.from(text, 'utf8');
    return {
      what,
      forms: [
        { form: 'as it was typed', text },
        { form: 'in hex', text: bytes.toString('hex'), anyCase: true },
        { form: 'in base64', text: bytes.toString('base64') },
      ],
    };
  };
  const asBytes = (what: string, bytes: Buffer): Secret => ({
    what,
    forms: [
      { form: 'in hex', text: bytes.toString('hex'), anyCase: true },
      { form: 'in base64', text: bytes.toString('base64') },
      { form: 'in base64url', text: bytes.toString('base64url') },
      { form: 'as raw bytes', bytes },
    ],
  });
  const secrets = typed.map(asText);
  for (const [key, account] of parseStore(readStore(dataDir, 'after the registrations'), 'after the registrations')) {
    secrets.push(asBytes(`the password hash of ${key} (from ${STORE_FILE})`, Buffer.from(account.password.hash, 'hex')));
    secrets.push(asBytes(`the password salt of ${key} (from ${STORE_FILE})`, Buffer.from(account.password.salt, 'hex')));
  }
  const pem = readFileSync(path.join(dataDir, 'identity-key.pem'), 'utf8');
  const privateBytes = Buffer.from(createPrivateKey(pem).export({ format: 'jwk' }).d!, 'base64url');
  const identity = asBytes("the private part of the server's identity key (identity-key.pem)", privateBytes);
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  identity.forms.push({ form: 'as in the PEM file', text: body });
  secrets.push(identity);
  return secrets;
}

/** Every file in the data folder but the two that are meant to hold secrets: the user store and the identity key. */
function dataFiles(dataDir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !/^users\.json(\.tmp)?$/.test(entry.name) && entry.name !== 'identity-key.pem') files.push(full);
    }
  };
  walk(dataDir);
  return files;
}

/** Where `secret` is in `bytes`, in any of its forms. */
function find(bytes: Buffer, secret: Secret): { form: string; at: number; length: number } | undefined {
  const lower = Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1');
  for (const { form, text, bytes: raw, anyCase } of secret.forms) {
    const needle = raw ?? Buffer.from(anyCase ? text!.toLowerCase() : text!, 'utf8');
    const at = (anyCase ? lower : bytes).indexOf(needle);
    if (at >= 0) return { form, at, length: needle.length };
  }
  return undefined;
}
