// Unit tests of the socket test kit itself: byte rendering, bounded waits, the recording
// client (against a real server on 127.0.0.1), and starting and stopping programs.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { diffBytes, preview } from '../kit/bytes.ts';
import { TestClient } from '../kit/client.ts';
import { ScenarioFailure, within } from '../kit/failure.ts';
import { LearnerProgram, StartError } from '../kit/program.ts';
import { isAlive } from '../kit/process-tree.ts';
import { Transcript } from '../kit/transcript.ts';

const programs = path.join(path.dirname(fileURLToPath(import.meta.url)), 'programs');
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A real server on an OS-assigned loopback port whose connection handler the test chooses. */
async function server(onConnection: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => srv.close(resolve));
  });
  return (srv.address() as net.AddressInfo).port;
}

async function client(port: number, transcript = new Transcript()): Promise<TestClient> {
  const c = await TestClient.connect({ host: '127.0.0.1', port, transcript });
  cleanups.push(() => c.destroy());
  return c;
}

describe('bytes', () => {
  test('the diff points at the first wrong byte, with the offset in the stream', () => {
    const diff = diffBytes(Buffer.from('hello world'), Buffer.from('hello wOrld'));
    expect(diff?.offset).toBe(7);
    expect(diff?.actual.slice(diff.caret)).toMatch(/^O/);
  });

  test('equal buffers have no diff; a short one differs where it ends', () => {
    expect(diffBytes(Buffer.from('abc'), Buffer.from('abc'))).toBeUndefined();
    expect(diffBytes(Buffer.from('abc'), Buffer.from('ab'))?.offset).toBe(2);
  });

  test('previews escape text, show binary as hex and keep the true size', () => {
    expect(preview(Buffer.from('a\n"'))).toBe('"a\\n\\""');
    expect(preview(Buffer.from([0, 1, 255]))).toBe('<00 01 ff>');
    expect(preview(Buffer.from('abcdef'), 2, 1000)).toBe('"ab" … (998 more bytes)');
  });
});

describe('bounded waits', () => {
  test('within() names what was awaited when the bound runs out', async () => {
    const never = new Promise<void>(() => {});
    const error = await within(20, 'the moon', never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioFailure);
    expect((error as ScenarioFailure).message).toMatch(/20 ms waiting for the moon/);
    expect((error as ScenarioFailure).details.wait).toMatchObject({ awaited: 'the moon', withinMs: 20 });
  });

  test('within() returns the result when it comes in time', async () => {
    expect(await within(1000, 'a number', Promise.resolve(42))).toBe(42);
  });
});

describe('the recording client', () => {
  test('expectBytes passes on an echo and the transcript holds both directions', async () => {
    const port = await server((socket) => socket.pipe(socket));
    const transcript = new Transcript();
    const c = await client(port, transcript);
    await c.send('ping');
    await c.expectBytes('ping');
    const kinds = transcript.connections[0]!.events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['connected', 'sent', 'received']));
  });

  test('a wrong byte fails with its offset counted from the start of the stream', async () => {
    const port = await server((socket) => socket.on('data', (d) => socket.write(Buffer.from(d.toString().replace('x', 'y')))));
    const c = await client(port);
    await c.send('ab');
    await c.expectBytes('ab');
    await c.send('cx');
    const error = (await c.expectBytes('cx').catch((e: unknown) => e)) as ScenarioFailure;
    expect(error.details.kind).toBe('mismatch');
    expect(error.details.diff?.offset).toBe(3);
  });

  test('a silent peer gives a timeout that says what was awaited and what had arrived', async () => {
    const port = await server((socket) => socket.write('h'));
    const c = await client(port);
    const error = (await c.expectBytes('hello', { withinMs: 100 }).catch((e: unknown) => e)) as ScenarioFailure;
    expect(error.details.kind).toBe('timeout');
    expect(error.details.wait).toMatchObject({ withinMs: 100, receivedBytes: 1, socketOpen: true });
    expect(error.message).toMatch(/waiting for 5 bytes back/);
  });

  test('an early close is reported as a close, not a timeout', async () => {
    const port = await server((socket) => socket.end('he'));
    const c = await client(port);
    const error = (await c.expectBytes('hello').catch((e: unknown) => e)) as ScenarioFailure;
    expect(error.details.kind).toBe('closed');
    expect(error.message).toMatch(/closed after 2 of them/);
  });

  test('split writes are labelled as an injected fault and sent as separate writes', async () => {
    const port = await server((socket) => socket.pipe(socket));
    const transcript = new Transcript();
    const c = await client(port, transcript);
    await c.sendSplit('abcdef', [2, 2]);
    await c.expectBytes('abcdef');
    const events = transcript.connections[0]!.events;
    expect(events.find((e) => e.kind === 'fault')?.note).toMatch(/3 separate writes \(2 \+ 2 \+ 2 bytes\)/);
    expect(events.filter((e) => e.kind === 'sent').map((e) => e.size)).toEqual([2, 2, 2]);
  });

  test('expectLine returns one line at a time, however the bytes were cut', async () => {
    const port = await server((socket) => socket.pipe(socket));
    const c = await client(port);
    await c.sendSplit('first\nsec', [3]);
    await c.send('ond\n');
    expect(await c.expectLine()).toBe('first');
    expect(await c.expectLine()).toBe('second');
  });

  test('expectJson reads one frame and parses it', async () => {
    const port = await server((socket) => socket.pipe(socket));
    const c = await client(port);
    await c.sendFrame({ type: 'hello', n: 1 });
    expect(await c.expectJson()).toEqual({ type: 'hello', n: 1 });
  });

  test('a refused connection fails with the socket error code', async () => {
    const port = await server(() => {});
    await cleanups.splice(0)[0]!(); // close the server again: nothing listens on the port now
    const error = (await client(port).catch((e: unknown) => e)) as ScenarioFailure;
    expect(error.details).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED' });
  });
});

describe('programs', () => {
  const start = (file: string, readyWithinMs = 4000) => LearnerProgram.start({ entry: path.join(programs, file), readyWithinMs });

  test('a program that never says it is listening fails to start within the bound', async () => {
    const error = await start('silent.ts', 1500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartError);
    expect((error as StartError).message).toMatch(/did not print "listening on 127.0.0.1:<port>" within 1500 ms/);
  });

  test('a program that exits at start-up fails with its exit code and output', async () => {
    const error = (await start('exits.ts').catch((e: unknown) => e)) as StartError;
    expect(error.message).toMatch(/exited with code 3/);
    expect(error.output).toMatch(/something is missing/);
  });

  test('a program whose event loop is blocked at start-up is called blocked', async () => {
    const error = (await start('blocks-at-start.ts', 2500).catch((e: unknown) => e)) as StartError;
    expect(error.message).toMatch(/event loop has been blocked/);
  });

  test.runIf(process.platform !== 'win32')('kill() stops the program and the children it started', async () => {
    const program = await start('forks-a-child.ts');
    const childPid = Number(/child (\d+)/.exec(program.outputTail())?.[1]);
    expect(isAlive(childPid)).toBe(true);
    await program.kill();
    expect(program.alive).toBe(false);
    await within(2000, 'the grandchild to be gone', (async () => {
      while (isAlive(childPid)) await new Promise((resolve) => setTimeout(resolve, 20));
    })());
  });
});

describe('compiled programs', () => {
  /** A program in a folder of its own, as a learner's files are: `files` maps names to source. */
  function folder(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'socketlab-compile-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, source] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), source);
    }
    return dir;
  }
  const listens = "import net from 'node:net';\nconst server = net.createServer().listen(0, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${(server.address() as net.AddressInfo).port}`));\n";

  test('a program that does not compile never starts, and the failure names the file and line', async () => {
    const dir = folder({ 'server.ts': `${listens}const broken = ;\n` });
    const error = (await LearnerProgram.start({ entry: path.join(dir, 'server.ts') }).catch((e: unknown) => e)) as StartError;
    expect(error).toBeInstanceOf(StartError);
    expect(error.message).toMatch(/could not be compiled, so it never started: .*\(server\.ts, line 3\)/);
    expect(error.output).toContain('const broken = ;');
  });

  test("a compiled program still sees its own files (import.meta), its errors name its .ts lines, and an edit is compiled again", async () => {
    const helper = (word: string) => `export const where = (): string => import.meta.url;\nexport function fail(): never {\n  throw new Error('${word}');\n}\n`;
    const dir = folder({
      'lib/helper.ts': helper('first'),
      // A resolve named only in a comment, of a package that does not exist, must not stop the compile.
      'server.ts': `// not a call: import.meta.resolve('no-such-package')\nimport { fail, where } from './lib/helper.ts';\n${listens}console.log('meta', import.meta.url, import.meta.dirname, where());\nconsole.log('later', import.meta.resolve('./made-later.json'));\nprocess.stdin.once('data', () => fail());\n`,
    });
    const entry = path.join(dir, 'server.ts');
    const crash = async () => {
      const program = await LearnerProgram.start({ entry });
      cleanups.push(() => program.kill());
      program.typeLine('fail now');
      await within(4000, 'the program to exit after its helper threw', program.exited);
      return program.outputTail();
    };
    const first = await crash();
    expect(first).toContain(`meta ${pathToFileURL(entry).href} ${dir} ${pathToFileURL(path.join(dir, 'lib', 'helper.ts')).href}`);
    // A file that does not exist yet resolves beside the learner's file, not the compiled one.
    expect(first).toContain(`later ${pathToFileURL(path.join(dir, 'made-later.json')).href}`);
    expect(first).toContain('Error: first');
    expect(first).toMatch(/helper\.ts:3:\d+/);
    writeFileSync(path.join(dir, 'lib', 'helper.ts'), helper('second, after an edit'));
    expect(await crash()).toContain('Error: second, after an edit');
  });
});
