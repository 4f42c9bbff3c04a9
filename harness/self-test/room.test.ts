// `npm run server` and `npm run client` end to end: the real server started through its
// launcher (port 0, loopback, a temporary data folder, a cheap scrypt), and the real client
// program, through its launcher too, in its mode for scripts (no terminal: flags in, one line
// per message out). Plus what a person gets for a mistake: one line, an exit status, no stack.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Chalk } from 'chalk';
import { expect, onTestFinished, test } from 'vitest';
import { ClientProgram } from '../kit/client-program.ts';
import { within } from '../kit/failure.ts';
import { LearnerProgram } from '../kit/program.ts';
import { repoRoot } from '../manifest.ts';
import { describe as lineFor } from '../../solutions/06-audit/chat-lines.ts';
import { cli, type CliOptions } from './cli-process.ts';
import { processesMentioning } from './leftovers.ts';

const launcher = (name: string) => path.join(repoRoot, 'harness', 'cli', `${name}.ts`);
/** Two node processes start (the launcher, then the compiled program): slow on a loaded machine. */
const START_MS = 20_000;
/** A message from one client's stdin to another's stdout, both on loopback. */
const RELAY_MS = 10_000;

/** A folder for one test, removed after it, with anything still running from it killed first. */
function testFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-room-'));
  onTestFinished(() => {
    // Every process a test starts names this folder on its command line (--data, --known-servers).
    for (const line of processesMentioning(dir)) {
      try {
        process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
      } catch {
        // ESRCH: it ended between the listing and now
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

interface Room {
  server: LearnerProgram;
  dir: string;
  port: number;
  fingerprint: string;
  /** The known-servers file the test's clients share. */
  knownServers: string;
}

/** `npm run server -- 0 --host 127.0.0.1 --data <temporary> --scrypt-n 1024`, ready. */
async function openRoom(): Promise<Room> {
  const dir = testFolder();
  const server = await LearnerProgram.start({
    entry: launcher('room-server'),
    args: ['--host', '127.0.0.1', '--data', path.join(dir, 'data'), '--scrypt-n', '1024'],
    readyWithinMs: START_MS,
  });
  onTestFinished(() => server.kill());
  const fingerprint = /server key fingerprint: (SHA256:\S+)/.exec(server.outputTail())?.[1];
  expect(fingerprint, 'the server prints its fingerprint before it listens').toBeDefined();
  return { server, dir, port: server.port, fingerprint: fingerprint!, knownServers: path.join(dir, 'known-servers') };
}

/** The client's arguments to reach `room` as `name`, with the password in a file. */
function clientArgs(room: Room, name: string, extra: string[] = []): string[] {
  const passwordFile = path.join(room.dir, `${name}.password`);
  writeFileSync(passwordFile, `password-of-${name}\n`);
  return ['127.0.0.1', String(room.port), '--known-servers', room.knownServers, '--name', name, '--password-file', passwordFile, ...extra];
}

/** A client that stays connected while the test types into it. */
async function startClient(room: Room, name: string, extra: string[] = []): Promise<ClientProgram> {
  const client = await ClientProgram.start(launcher('room-client'), clientArgs(room, name, extra), `the client of ${name}`);
  onTestFinished(() => client.kill());
  return client;
}

/** One whole run of the client; the same bound as the clients above. */
const runClient = (args: string[], options: CliOptions = {}) => cli('room-client', args, { withinMs: START_MS + RELAY_MS, ...options });

const lines = (text: string) => text.trimEnd().split(/\r?\n/);
const STACK_FRAME = /^\s+at /m;

test('two people register, log in, chat, see each other, ask who is here, and quit', async () => {
  const room = await openRoom();
  const alice = await startClient(room, 'alice', ['--register', '--trust']);
  await alice.expectOutput('* you are alice; here: alice', START_MS, "alice's welcome");

  // Bob runs the learner's copy of the client (labs/: given complete, the same text), and needs
  // no --trust: alice's run remembered the server's key in the file they share.
  const bob = await startClient(room, 'bob', ['--register', '--impl', 'labs']);
  await bob.expectOutput('* you are bob; here: alice, bob', START_MS, "bob's welcome");
  await alice.expectOutput('* bob joined', RELAY_MS, 'the news that bob joined');

  bob.type(['hello alice']);
  await alice.expectOutput('bob: hello alice', RELAY_MS, "bob's chat line");
  alice.type(['hi bob', '/who']);
  await bob.expectOutput('alice: hi bob', RELAY_MS, "alice's chat line");
  await alice.expectOutput('* here: alice, bob', RELAY_MS, 'the answer to /who');

  bob.type(['/quit']);
  await bob.expectExit(RELAY_MS, 'exit after /quit');
  expect(bob.code).toBe(0);
  await alice.expectOutput('* bob left', RELAY_MS, 'the news that bob left');
  // Nobody hears themselves: the server relays a line to everyone but its sender.
  expect(bob.printed).not.toContain('bob: hello alice');
  expect(alice.printed).not.toContain('alice: hi bob');

  alice.endInput();
  await alice.expectExit(RELAY_MS, 'exit at the end of its input');
  expect(alice.code).toBe(0);
  expect(readFileSync(room.knownServers, 'utf8')).toBe(`127.0.0.1:${room.port} ${room.fingerprint}\n`);
});

test('without a terminal: stdout holds only the room\'s messages, the password comes from SOCKETLAB_PASSWORD, the end of input ends the visit', async () => {
  const room = await openRoom();
  const args = ['127.0.0.1', String(room.port), '--known-servers', room.knownServers, '--name', 'carol', '--register', '--trust'];
  const run = await runClient(args, { env: { SOCKETLAB_PASSWORD: 'password-of-carol' }, onStart: (child) => child.stdin!.end('/who\n') });
  expect(run.stderr).not.toMatch(STACK_FRAME);
  expect(run.code).toBe(0);
  expect(lines(run.stdout)).toEqual(['* you are carol; here: carol', '* here: carol']);
  expect(run.stderr).toContain(`the key of 127.0.0.1:${room.port} is remembered in ${room.knownServers}`);
});

test("the server's shutdown notice reaches the client, which says so and exits 0; the server's exit status comes through its launcher", async () => {
  const room = await openRoom();
  const dave = await startClient(room, 'dave', ['--register', '--trust']);
  await dave.expectOutput('* you are dave; here: dave', START_MS, "dave's welcome");
  room.server.typeLine('shutdown');
  await dave.expectOutput('* server: ', RELAY_MS, 'the shutdown notice');
  await dave.expectExit(RELAY_MS, 'exit once the server has closed the connection');
  expect(dave.code).toBe(0);
  expect(dave.printed).toContain(`127.0.0.1:${room.port} closed the connection`);
  await within(RELAY_MS, 'the server to stop after `shutdown`', room.server.exited);
  expect(room.server.exitCode).toBe(0);
});

test('a server whose key changed is refused, loudly, even with --trust, and nothing is sent', async () => {
  const room = await openRoom();
  const remembered = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  writeFileSync(room.knownServers, `# an earlier visit\n127.0.0.1:${room.port} ${remembered}\n`);
  const run = await runClient(clientArgs(room, 'mallory', ['--register', '--trust']));
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain(`WARNING: THE KEY OF 127.0.0.1:${room.port} HAS CHANGED.`);
  expect(run.stderr).toContain(`Expected: ${remembered}`);
  expect(run.stderr).toContain(`Received: ${room.fingerprint}`);
  expect(run.stderr).not.toMatch(STACK_FRAME);
  expect(readFileSync(room.knownServers, 'utf8')).toBe(`# an earlier visit\n127.0.0.1:${room.port} ${remembered}\n`);
  // Nothing was sent: the server counted a connection, and no account.
  const mark = room.server.outputMark;
  room.server.typeLine('audit json');
  const audit = JSON.parse(await room.server.waitForOutput((line) => line.startsWith('{"type":"audit"'), 'the `audit json` line', { after: mark, withinMs: RELAY_MS }));
  expect(audit.connections.total).toBe(1);
  expect(audit.users).toEqual({});
});

test('a server met for the first time, with no terminal to ask and no --trust, is not trusted', async () => {
  const room = await openRoom();
  const run = await runClient(clientArgs(room, 'erin', ['--register']));
  expect(run.code).toBe(1);
  expect(lines(run.stderr)).toHaveLength(1);
  expect(run.stderr).toContain('--trust');
  expect(run.stderr).toContain(room.fingerprint);
  expect(() => readFileSync(room.knownServers)).toThrow(/ENOENT/);
});

test('a refused login is one line on stderr and exit status 1', async () => {
  const room = await openRoom();
  const first = await runClient(clientArgs(room, 'frank', ['--register', '--trust']));
  expect(first.code).toBe(0);
  writeFileSync(path.join(room.dir, 'wrong'), 'not-franks-password\n');
  const run = await runClient(['127.0.0.1', String(room.port), '--known-servers', room.knownServers, '--name', 'frank', '--password-file', path.join(room.dir, 'wrong')]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/wrong name or password \(login-failed\)/);
  expect(run.stderr).not.toMatch(STACK_FRAME);
});

/** A port nothing listens on: one the system just gave out, and took back. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test.each([
  { what: 'a port that is not a number', args: ['abc'], code: 2, message: /the port must be a number from 0 to 65535, not "abc"/ },
  { what: 'a port out of range', args: ['70000'], code: 2, message: /the port must be a number from 0 to 65535, not "70000"/ },
  { what: 'two ports', args: ['8080', '9090'], code: 2, message: /one port at most/ },
  { what: 'an unknown flag', args: ['--frobnicate'], code: 2, message: /Unknown option '--frobnicate'/ },
  { what: 'a missing --impl folder', args: ['--impl', 'no-such-tree'], code: 2, message: /--impl: folder not found: .*no-such-tree/ },
  { what: 'an --impl folder without the room', args: ['--impl', path.join(repoRoot, 'docs')], code: 2, message: /--impl: .*docs has no 06-audit.server\.ts/ },
  { what: 'a host that does not resolve', args: ['0', '--host', 'no-such-host.invalid'], code: 1, message: /no-such-host\.invalid/ },
])('npm run server with $what: one line, exit status $code', async ({ args, code, message }) => {
  const dir = testFolder();
  const run = await cli('room-server', [...args, '--data', path.join(dir, 'data')], { withinMs: START_MS });
  expect(lines(run.stderr)).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(STACK_FRAME);
  expect(run.code).toBe(code);
});

test('npm run server with an --impl tree outside a copy of the kit: one line, exit status 2', async () => {
  // Without a package.json that says "module", and without the kit's packages, the program would crash with a stack trace.
  const dir = testFolder();
  mkdirSync(path.join(dir, 'tree', '06-audit'), { recursive: true });
  writeFileSync(path.join(dir, 'tree', '06-audit', 'server.ts'), 'await Promise.resolve();\n');
  const run = await cli('room-server', ['--impl', path.join(dir, 'tree'), '--data', path.join(dir, 'data')], { withinMs: START_MS });
  expect(lines(run.stderr)).toEqual([`error: --impl: ${path.join(dir, 'tree')} is not inside a copy of the kit (no package.json with "type": "module" above it)`]);
  expect(run.code).toBe(2);
});

test('npm run server with a server.ts that does not compile: the error, where it is, exit status 1', async () => {
  const dir = testFolder();
  mkdirSync(path.join(dir, 'tree', '06-audit'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(path.join(dir, 'tree', '06-audit', 'server.ts'), 'const port = ;\n');
  const run = await cli('room-server', ['--impl', path.join(dir, 'tree'), '--data', path.join(dir, 'data')], { withinMs: START_MS });
  expect(lines(run.stderr)[0]).toMatch(/^error: .*server\.ts could not be compiled, so it did not start: Unexpected ";" \(server\.ts, line 1\)$/);
  expect(run.stderr).toContain('const port = ;');
  expect(run.code).toBe(1);
});

test('npm run server on a port already in use: one line, exit status 1', async () => {
  const dir = testFolder();
  const taken = net.createServer().listen(0, '127.0.0.1');
  onTestFinished(() => void taken.close());
  await within(5000, 'a listening socket to hold a port', new Promise((resolve) => taken.once('listening', resolve)));
  const { port } = taken.address() as net.AddressInfo;
  const run = await cli('room-server', [String(port), '--host', '127.0.0.1', '--data', path.join(dir, 'data')], { withinMs: START_MS });
  expect(lines(run.stderr)).toEqual([`Cannot start: port ${port} is already in use (is another server running?)`]);
  expect(run.code).toBe(1);
});

test.each([
  { what: 'three positionals', args: ['a', 'b', 'c'], code: 2, message: /a host and a port at most/ },
  { what: 'a port out of range', args: ['localhost', '99999'], code: 2, message: /the port must be a number from 1 to 65535, not "99999"/ },
  { what: 'an unknown flag', args: ['--frobnicate'], code: 2, message: /Unknown option '--frobnicate'/ },
  { what: 'a password on the command line', args: ['--password', 'hunter22'], code: 2, message: /never goes on the command line/ },
  { what: 'a missing --impl folder', args: ['--impl', 'no-such-tree'], code: 2, message: /--impl: folder not found/ },
  { what: 'no password, no terminal', args: ['--name', 'gina'], code: 2, message: /SOCKETLAB_PASSWORD/, env: { SOCKETLAB_PASSWORD: '' } },
  { what: 'no name, no terminal', args: [], code: 2, message: /pass --name/ },
  { what: 'a host that does not resolve', args: ['no-such-host.invalid', '8080', '--name', 'gina'], code: 1, message: /"no-such-host\.invalid"/ },
  { what: 'a port where nothing listens', args: ['127.0.0.1', 'CLOSED', '--name', 'gina'], code: 1, message: /nothing accepts connections at 127\.0\.0\.1:\d+/ },
])('npm run client with $what: one line, exit status $code', async ({ args, code, message, env }) => {
  const dir = testFolder();
  const port = String(await closedPort());
  const run = await runClient([...args.map((arg) => (arg === 'CLOSED' ? port : arg)), '--known-servers', path.join(dir, 'known-servers')], {
    env: env ?? { SOCKETLAB_PASSWORD: 'password-of-gina' },
  });
  expect(lines(run.stderr)).toHaveLength(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(STACK_FRAME);
  expect(run.stdout).toBe('');
  expect(run.code).toBe(code);
});

test.runIf(process.platform !== 'win32')('SIGINT to the server launcher alone: the server is told, tells its clients, stops, and no process is left', async () => {
  const room = await openRoom();
  const hana = await startClient(room, 'hana', ['--register', '--trust']);
  await hana.expectOutput('* you are hana; here: hana', START_MS, "hana's welcome");
  // The launcher, not the server: as when a supervisor signals the process it started.
  expect(room.server.pid, 'the launcher is running').toBeDefined();
  process.kill(room.server.pid!, 'SIGINT');
  await hana.expectOutput('* server: ', RELAY_MS, 'the shutdown notice');
  await within(RELAY_MS, 'the launcher to exit after SIGINT', room.server.exited);
  expect(room.server.exitCode).toBe(0);
  await hana.expectExit(RELAY_MS, 'exit once the server has closed the connection');
  expect(processesMentioning(path.join(room.dir, 'data'))).toEqual([]);
});

test("the client's line for a big room's welcome and who: the names listed, and how many more", () => {
  const plain = new Chalk({ level: 0 });
  expect(lineFor({ type: 'who', present: ['alice', 'bob'], more: 1834 }, plain)).toBe('* here: alice, bob and 1834 more');
  expect(lineFor({ type: 'welcome', name: 'bob', present: ['alice', 'bob'] }, plain)).toBe('* you are bob; here: alice, bob');
});
