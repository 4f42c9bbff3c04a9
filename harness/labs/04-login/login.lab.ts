// Lab 4's hidden scenarios: harness clients register, log in and chat with the learner's
// server over real TCP, and the harness reads the user store the server keeps in its data
// folder (docs/protocol.md, "Lab 4: accounts and login").
//
// As in lab 3, "nothing else arrived" is never checked by waiting: a client sends a request
// and its *next* message must be the answer. Time is measured only where the lab is about
// time (the lockout), and there only in the direction that cannot be wrong: the harness's
// clock starts before the server's does.

import { findLab } from '../../manifest.ts';
import { defineLab } from '../../kit/scenario.ts';
import { ChatClient, checkSameNames, show, type ChatMessage } from '../../kit/chat-client.ts';
import { logIn, loggedIn, register, registeredAndLoggedIn, type Credentials } from '../../kit/accounts.ts';
import { ScenarioFailure, check } from '../../kit/failure.ts';
import { expectRefusedToStart, type DamagedVersion } from '../../kit/damaged-file.ts';
import { MAX_FAILED_LOGINS, SLOW_SCRYPT_N, STORE_FILE, TEST_LOCKOUT_MS, TEST_SCRYPT_N } from './test-settings.ts';
import { burstThenCrash } from './registration-burst.ts';
import { chatWhileHashing, loggedInAfterCostRise } from './slow-hash.ts';
import { checkNoPasswordIn, parseStore, readStore, scryptAsStored, storeIdentity, storePath } from './user-store.ts';

const alice: Credentials = { name: 'alice', password: 'correct horse battery' };
const bob: Credentials = { name: 'bob', password: 'staple-tr0ub4dor-3' };
const carol: Credentials = { name: 'carol', password: 'carol likes long walks' };

/** How often the lockout scenario asks again whether alice's lock is over. */
const POLL_MS = 100;

defineLab(findLab('login')!, {
  'register-then-login': async ({ connect }) => {
    const first = await ChatClient.connect(connect, 'alice');
    await register(first, alice);
    checkSameNames(await logIn(first, alice), ['alice'], 'The welcome to alice');

    // Bob registers as "Bob" and logs in as "bob": one account, welcomed under its registered name.
    const second = await ChatClient.connect(connect, 'Bob');
    await register(second, { ...bob, name: 'Bob' });
    checkSameNames(await logIn(second, bob, { registeredAs: 'Bob' }), ['alice', 'Bob'], 'The welcome to Bob');
    await first.expect({ type: 'joined', name: 'Bob' }, { what: 'the notice that Bob logged in' });

    // From here on, lab 3's room.
    await first.say('hello, Bob');
    await second.expect({ type: 'chat', from: 'alice', text: 'hello, Bob' }, { what: "alice's line, relayed to Bob" });
    await second.say('hi alice!');
    await first.expect({ type: 'chat', from: 'Bob', text: 'hi alice!' }, { what: "Bob's answer, relayed to alice" });
    await first.expectRoster(['alice', 'Bob']);
    second.quit();
    await first.expect({ type: 'left', name: 'Bob' }, { what: 'the notice that Bob left' });
    await first.expectRoster(['alice']);
  },

  'wrong-password': async ({ connect }) => {
    const client = await ChatClient.connect(connect, 'alice');
    await register(client, alice);
    const wrong: [password: string, because: string][] = [
      ['not the password', 'it is not her password'],
      [alice.password.toUpperCase(), 'passwords are case-sensitive: this is her password in capitals'],
      ['', 'an empty password is not her password'],
    ];
    for (const [password, because] of wrong) {
      await client.send({ type: 'login', name: 'alice', password });
      await client.expectError('login-failed', `${because} (the login was ${show({ type: 'login', name: 'alice', password })})`);
    }
    await expectNotInRoom(client, 'after three refused logins');
    await logIn(client, alice);
  },

  'unknown-user': async ({ connect }) => {
    const client = await ChatClient.connect(connect, 'alice');
    await register(client, alice);
    await client.send({ type: 'login', name: 'alice', password: 'not the password' });
    const wrongPassword = await client.expectError('login-failed', 'the password is wrong');

    const stranger = await ChatClient.connect(connect, 'mallory');
    const mallory: Credentials = { name: 'mallory', password: 'first password wins?' };
    await stranger.send({ type: 'login', ...mallory });
    const unknownName = await stranger.expectError('login-failed', 'nobody registered the name "mallory"');
    check(unknownName.message === wrongPassword.message, 'The refusal for a name nobody registered is not word for word the refusal for a wrong password: the difference tells an attacker which names exist.', {
      expected: show(wrongPassword),
      actual: show(unknownName),
    });

    // The original room registered unknown names on their first login. Not this one.
    await stranger.send({ type: 'login', ...mallory });
    await stranger.expectError('login-failed', 'a login never creates an account: "mallory" is still not registered, whatever password the first login brought');
    await register(stranger, mallory);
    await logIn(stranger, mallory);
  },

  'duplicate-registration': async ({ connect }) => {
    const owner = await ChatClient.connect(connect, 'alice');
    await register(owner, alice);
    const other = await ChatClient.connect(connect, 'someone else');
    for (const name of ['alice', 'ALICE', 'Alice']) {
      await other.send({ type: 'register', name, password: 'a different password' });
      await other.expectError('name-taken', `an account "alice" exists already (the registration was for "${name}"; names are the same whatever their upper/lower case)`);
    }
    await owner.send({ type: 'register', name: 'alice', password: alice.password });
    await owner.expectError('name-taken', 'alice is registered already, even when she asks again with her own password');

    await other.send({ type: 'login', name: 'alice', password: 'a different password' });
    await other.expectError('login-failed', 'the refused registrations must not have changed alice\'s password');
    await logIn(owner, alice);
  },

  'policy-violations': async ({ connect }) => {
    const client = await ChatClient.connect(connect, 'newcomer');
    const badNames: [name: string, because: string][] = [
      ['', 'an empty name is not a name'],
      ['a'.repeat(21), 'a name has at most 20 characters'],
      ['two words', 'a space is not allowed in a name'],
      ['eve\nalice', 'a line break is not allowed in a name'],
      ['SERVER', 'the name "SERVER" is reserved'],
      ['System', 'the name "System" is reserved (upper or lower case makes no difference)'],
    ];
    for (const [name, because] of badNames) {
      await client.send({ type: 'register', name, password: 'a good long password' });
      await client.expectError('bad-name', `${because} (the registration was for ${show(name)})`);
    }
    const badPasswords: [password: string, because: string][] = [
      ['', 'an empty password'],
      ['short', 'a password of 5 characters'],
      ['7 chars', 'a password of 7 characters, one short of the minimum of 8'],
      ['x'.repeat(129), 'a password of 129 characters, one over the maximum of 128'],
    ];
    for (const [password, because] of badPasswords) {
      await client.send({ type: 'register', name: 'carol', password });
      const error = await client.expectError('bad-password', `${because} breaks the password rules`);
      check(/\b8\b/.test(String(error.message)) && /\b128\b/.test(String(error.message)), `The "bad-password" error does not explain the rules: its message should say that a password has 8 to 128 characters.`, {
        expected: 'a message that names the minimum (8) and the maximum (128)',
        actual: show(error),
      });
    }
    const malformed: [message: object, because: string][] = [
      [{ type: 'register', name: 'carol' }, 'a register message needs a "password"'],
      [{ type: 'register', name: 'carol', password: 12345678 }, 'a password must be a string, not a number'],
      [{ type: 'login', name: 'carol' }, 'a login message needs a "password"'],
      [{ type: 'login', password: 'a good long password' }, 'a login message needs a "name"'],
    ];
    for (const [message, because] of malformed) {
      await client.send(message);
      await client.expectError('bad-message', `${because} (the message was ${show(message)})`);
    }
    // The shortest and the longest passwords allowed: neither refused "carol" left an account behind.
    const shortest: Credentials = { name: 'carol', password: 'exactly8' };
    const longest: Credentials = { name: 'dave', password: 'p'.repeat(128) };
    await register(client, shortest);
    await register(client, longest);
    await logIn(client, shortest);
    await loggedIn(connect, longest);
  },

  lockout: async ({ connect }) => {
    const setup = await ChatClient.connect(connect, 'setup');
    await register(setup, alice);
    await register(setup, bob);

    const attacker = await ChatClient.connect(connect, 'attacker');
    let lockStartsAfter = 0;
    for (let guess = 1; guess <= MAX_FAILED_LOGINS; guess++) {
      // The server starts the lock while answering the last guess: after this moment.
      lockStartsAfter = performance.now();
      await attacker.send({ type: 'login', name: 'alice', password: `guess number ${guess}` });
      await attacker.expectError('login-failed', `guess ${guess} of ${MAX_FAILED_LOGINS} is wrong`);
    }
    await expectLocked(attacker, 'with the right password, right after 5 failed logins', lockStartsAfter);
    attacker.wire.reset();
    const reconnected = await ChatClient.connect(connect, 'attacker, on a new connection');
    await expectLocked(reconnected, 'with the right password, from a new connection: reconnecting must not reset the count', lockStartsAfter);

    // The lock belongs to alice's name, not to the server: bob logs in as usual.
    await loggedIn(connect, bob);

    // When the cooling-off period is over, alice's right password works again. Asking every
    // POLL_MS is only the pace of the question; the answer is what the harness waits for.
    const later = await ChatClient.connect(connect, 'alice, after the cooling-off period');
    const giveUpAfterMs = TEST_LOCKOUT_MS + 3000;
    let reply: ChatMessage | undefined;
    for (let asked = 1; asked <= giveUpAfterMs / POLL_MS; asked++) {
      await later.send({ type: 'login', ...alice });
      reply = await later.next({ what: `the answer to alice's login number ${asked} after the lock` });
      if (reply.type === 'welcome' || performance.now() - lockStartsAfter > giveUpAfterMs) break;
      check(reply.type === 'error' && reply.code === 'locked', 'alice\'s right password got an answer that is neither "locked" nor a welcome.', { expected: 'an error "locked", then the welcome', actual: show(reply) });
      await pause(POLL_MS);
    }
    if (reply?.type !== 'welcome') {
      throw new ScenarioFailure(`alice was still locked ${Math.round(performance.now() - lockStartsAfter)} ms after her 5th failed login, but the harness started the program with --lockout-ms ${TEST_LOCKOUT_MS}.`, {
        kind: 'mismatch',
        expected: `the welcome once ${TEST_LOCKOUT_MS} ms have passed (and refusals while locked must not make the lock longer)`,
        actual: show(reply),
      });
    }
    later.who = 'alice';
    const lockedFor = performance.now() - lockStartsAfter;
    // The welcome cannot come before the period is over: the harness's clock started first.
    // (A little slack for a system clock that is adjusted while the test runs.)
    check(lockedFor >= TEST_LOCKOUT_MS - 100, `alice could log in again ${Math.round(lockedFor)} ms after her 5th failed login: the lock should last the ${TEST_LOCKOUT_MS} ms of --lockout-ms.`, {
      expected: `refusals for at least ${TEST_LOCKOUT_MS} ms`,
      actual: `a welcome after ${Math.round(lockedFor)} ms`,
    });
  },

  'second-session': async ({ connect }) => {
    const first = await registeredAndLoggedIn(connect, alice);
    const watcher = await registeredAndLoggedIn(connect, bob);
    await first.expect({ type: 'joined', name: 'bob' }, { what: 'the notice that bob logged in' });

    const second = await ChatClient.connect(connect, 'alice, second connection');
    await second.send({ type: 'login', name: 'alice', password: 'not the password' });
    await second.expectError('login-failed', 'the password is wrong (whether alice is online or not must only be told to someone who knows her password)');
    await second.send({ type: 'login', ...alice });
    await second.expectError('already-online', 'alice is logged in on another connection');
    await expectNotInRoom(second, 'after its login was refused');
    // The first session is untouched, and nobody was told anything.
    await first.expectRoster(['alice', 'bob']);
    await watcher.expectRoster(['alice', 'bob']);

    first.quit();
    await watcher.expect({ type: 'left', name: 'alice' }, { what: 'the notice that alice left' });
    checkSameNames(await logIn(second, alice), ['bob', 'alice'], 'The welcome to alice on her second connection');
    await watcher.expect({ type: 'joined', name: 'alice' }, { what: 'the notice that alice logged in again' });
  },

  'before-login': async ({ connect }) => {
    const early = await ChatClient.connect(connect, 'early');
    const first = await registeredAndLoggedIn(connect, alice);
    const second = await registeredAndLoggedIn(connect, bob);
    await first.expect({ type: 'joined', name: 'bob' }, { what: 'the notice that bob logged in' });
    await first.say('said before carol logged in');
    await second.expect({ type: 'chat', from: 'alice', text: 'said before carol logged in' }, { what: "alice's line, relayed to bob" });

    // Its first message from the server is a refusal: no chat reached it.
    await early.say('can I talk yet?');
    await early.expectError('not-logged-in', 'it has not logged in (and before this error it should have received nothing at all)');
    await expectNotInRoom(early, 'before logging in');
    await early.send({ type: 'join', name: 'carol' });
    await early.expectError('bad-message', 'lab 3\'s "join" is gone: a name without a password would let anyone into the room');
    await expectNotInRoom(early, 'after its "join"');
    await register(early, carol);
    await early.say('registered: now can I talk?');
    await early.expectError('not-logged-in', 'registering creates the account; only a login enters the room');

    checkSameNames(await logIn(early, carol), ['alice', 'bob', 'carol'], 'The welcome to carol');
    for (const member of [first, second]) await member.expect({ type: 'joined', name: 'carol' }, { what: 'the notice that carol logged in (and nothing she sent before)' });
    await first.say('said after carol logged in');
    for (const member of [second, early]) {
      await member.expect({ type: 'chat', from: 'alice', text: 'said after carol logged in' }, { what: "alice's line said after carol logged in (and no line from before)" });
    }
  },

  'survives-restart': async ({ connect, crash, restart, dataDir }) => {
    const setup = await ChatClient.connect(connect, 'setup');
    await register(setup, alice);
    const before = storeIdentity(dataDir, "after alice's registration was acknowledged");
    await register(setup, bob);
    const after = storeIdentity(dataDir, "after bob's registration was acknowledged");
    check(before !== after, `${STORE_FILE} is the same file before and after bob's registration: it was rewritten in place. A crash in the middle of rewriting it leaves a cut-off file, and every account is lost.`, {
      expected: `a new file (written beside ${STORE_FILE}, then renamed over it) for each registration`,
      actual: `the same file (inode ${before}) before and after`,
    });
    const saved = parseStore(readStore(dataDir, "after bob's registration was acknowledged"), "after bob's registration was acknowledged");
    for (const name of ['alice', 'bob']) check(saved.has(name), `${STORE_FILE} has no account "${name}", although its registration was acknowledged.`, { actual: [...saved.keys()].join(', ') || 'no accounts' });

    await crash(); // a power cut: no chance to save anything on the way out
    await restart();
    await loggedIn(connect, alice);
    await loggedIn(connect, bob);
    const newcomer = await ChatClient.connect(connect, 'carol');
    await newcomer.send({ type: 'register', name: 'ALICE', password: 'a different password' });
    await newcomer.expectError('name-taken', 'alice was registered before the restart');
    await register(newcomer, carol);
    const now = parseStore(readStore(dataDir, "after carol's registration"), "after carol's registration, once the server had restarted");
    for (const name of ['alice', 'bob', 'carol']) check(now.has(name), `${STORE_FILE} lost the account "${name}" when carol registered after the restart.`, { actual: [...now.keys()].join(', ') || 'no accounts' });
  },

  'crash-during-burst': async (session) => {
    const acknowledged = await burstThenCrash(session);
    const { connect, restart, dataDir } = session;
    // The file exactly as the crash left it, before the program can touch it again.
    const left = parseStore(readStore(dataDir, 'after the crash'), 'as the crash left it');
    for (const account of acknowledged) {
      check(left.has(account.name), `After the crash, ${STORE_FILE} has no account "${account.name}", although the server had acknowledged its registration.`, {
        expected: `all ${acknowledged.length} acknowledged accounts`,
        actual: `${left.size} accounts`,
      });
    }
    await restart();
    // Every acknowledged account works: five at a time, each on its own connection.
    const lanes = Array.from({ length: 5 }, (_, lane) => acknowledged.filter((_, i) => i % 5 === lane));
    await Promise.all(
      lanes.map(async (lane) => {
        for (const account of lane) (await loggedIn(connect, account)).quit();
      }),
    );
  },

  'corrupt-store': async ({ crash, restart, dataDir }) => {
    await crash();
    const damaged: DamagedVersion[] = [
      [Buffer.from('{\n  "version": 1,\n  "accounts": {\n    "alice": {\n      "name": "alice",\n      "password": {\n        "algorithm": "scr'), 'cut off in the middle (what a crash during an in-place rewrite leaves)'],
      [Buffer.alloc(0), 'empty, 0 bytes (what a crash right after truncating it leaves)'],
      [Buffer.from('{"users":[]}\n'), 'valid JSON, but not a user store'],
    ];
    await expectRefusedToStart(restart, storePath(dataDir), damaged, "the next registration replaces everyone's accounts with an empty store");
  },

  'no-password-on-disk': async ({ connect, program, dataDir }) => {
    const same = 'the very same password';
    const accounts: Credentials[] = [
      { name: 'alice', password: same },
      { name: 'bob', password: same },
      { name: 'carol', password: carol.password },
    ];
    const setup = await ChatClient.connect(connect, 'setup');
    for (const account of accounts) await register(setup, account);
    // A wrong password and a right one through the login path, which likes to log things.
    const typo = 'the very same pasword';
    await setup.send({ type: 'login', name: 'alice', password: typo });
    await setup.expectError('login-failed', 'the password has a typo');
    await logIn(setup, accounts[0]!);

    const bytes = readStore(dataDir, 'after three registrations were acknowledged');
    checkNoPasswordIn(bytes, [same, carol.password, typo]);
    const stored = parseStore(bytes, 'after three registrations');
    const salts = new Set<string>();
    for (const account of accounts) {
      const entry = stored.get(account.name);
      check(entry !== undefined, `${STORE_FILE} has no account "${account.name}", although its registration was acknowledged.`, { actual: [...stored.keys()].join(', ') || 'no accounts' });
      const { algorithm, N, salt } = entry.password;
      check(algorithm === 'scrypt', `The account "${account.name}" is not hashed with scrypt.`, { expected: '"algorithm": "scrypt"', actual: show(entry.password) });
      check(N === TEST_SCRYPT_N, `The account "${account.name}" was hashed with N = ${N}, but the harness started the program with --scrypt-n ${TEST_SCRYPT_N}.`, {
        expected: `"N": ${TEST_SCRYPT_N} (new hashes use the cost from --scrypt-n)`,
        actual: show(entry.password),
      });
      check(salt.length >= 32, `The salt of "${account.name}" is ${salt.length / 2} bytes long: a salt must be at least 16 random bytes.`, { actual: show(entry.password) });
      check(!salts.has(salt), `"${account.name}" has the same salt as another account: each password needs its own random salt, or equal passwords get equal hashes.`, { actual: show(entry.password) });
      salts.add(salt);
      const recomputed = await scryptAsStored(account.password, entry);
      check(recomputed === entry.password.hash, `The hash stored for "${account.name}" is not what scrypt makes of the password with the stored salt, N, r and p.`, {
        expected: `"hash": "${recomputed}"`,
        actual: show(entry.password),
      });
    }
    check(stored.get('alice')!.password.hash !== stored.get('bob')!.password.hash, 'alice and bob have the same password, and the same hash in the file: the hash is not salted.', {
      expected: 'different hashes for equal passwords',
      actual: stored.get('alice')!.password.hash,
    });

    const output = program.outputTail(Number.MAX_SAFE_INTEGER);
    for (const password of [same, carol.password, typo]) {
      check(!output.includes(password), `Your program printed the password ${show(password)}: logs are read by more people than the store, and kept longer.`, {
        expected: 'names in the log, never passwords',
        actual: show(output.split('\n').find((line) => line.includes(password)) ?? ''),
      });
    }
  },

  'hashing-in-background': async ({ connect, restart, dataDir }) => {
    const setup = await ChatClient.connect(connect, 'setup');
    await register(setup, alice);
    await register(setup, bob);
    // From now on new hashes cost about 200 ms each. Alice's and bob's were made cheaper, and
    // say so in the store: they must still be checked with their own parameters.
    await restart(['--scrypt-n', String(SLOW_SCRYPT_N)]);
    const first = await loggedInAfterCostRise(connect, dataDir, alice);
    const second = await loggedInAfterCostRise(connect, dataDir, bob);
    await first.expect({ type: 'joined', name: 'bob' }, { what: 'the notice that bob logged in' });

    // Carol's account costs a slow hash to register, and so to check.
    const newcomer = await ChatClient.connect(connect, 'carol');
    await register(newcomer, carol, { withinMs: 5000 });
    await newcomer.send({ type: 'login', ...carol });
    await chatWhileHashing(second, first, newcomer, "carol's login");
    await newcomer.expect({ type: 'welcome', name: 'carol' }, { what: 'the welcome after her login (a slow hash: up to 5 s allowed)', withinMs: 5000 });
  },
});

// ---- helpers ---------------------------------------------------------------------------------

/** The client is connected but not in the room: its "who" is refused. */
async function expectNotInRoom(client: ChatClient, when: string): Promise<void> {
  await client.send({ type: 'who' });
  await client.expectError('not-logged-in', `a connection that has not logged in is not in the room ${when}`);
}

/**
 * Alice's right password must be refused with "locked". A welcome is a definite failure only
 * while the lock must still hold by the harness's own clock, which started before the server's.
 */
async function expectLocked(client: ChatClient, how: string, lockStartsAfter: number): Promise<void> {
  await client.send({ type: 'login', ...alice });
  const reply = await client.next({ what: `the answer to a login for alice ${how}` });
  if (reply.type === 'error' && reply.code === 'locked') {
    check(typeof reply.message === 'string' && reply.message.trim() !== '', 'The "locked" error has no "message" text explaining it.', { actual: show(reply) });
    return;
  }
  const elapsed = Math.round(performance.now() - lockStartsAfter);
  if (reply.type === 'welcome' && elapsed >= TEST_LOCKOUT_MS) {
    throw new ScenarioFailure(`The harness could not judge the lockout: this machine took ${elapsed} ms to get here, longer than the lock lasts (${TEST_LOCKOUT_MS} ms). Run the lab again.`, { kind: 'harness' });
  }
  throw new ScenarioFailure(`alice was not locked ${how} (${elapsed} ms after her 5th failed login; the lock lasts ${TEST_LOCKOUT_MS} ms).`, {
    kind: 'mismatch',
    expected: show({ type: 'error', code: 'locked', message: '…' }),
    actual: show(reply),
  });
}


/** Only the pace of a repeated question (the lockout poll); nothing waits on it for an outcome. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
