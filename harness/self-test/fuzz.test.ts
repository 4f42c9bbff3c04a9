// The fuzzers (harness/fuzz): their generator replays a seed exactly, their reference decoder
// reads the protocol page's own examples, a bounded run finds no fault in the reference
// solutions while reaching every kind of outcome, and each broken decoder, hello reader and
// message parser kept as a fixture is caught. `npm run fuzz` runs the full-size version.
// Fuzz runs are child processes with a bound: code under test that loops must not hang vitest.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { within } from '../kit/failure.ts';
import type { DriverReport } from '../fuzz/engine.ts';
import { chatMessageDriver } from '../fuzz/drivers/chat-messages.ts';
import { frameDecoderDriver, referenceDecode } from '../fuzz/drivers/frame-decoder.ts';
import { clientHelloDriver } from '../fuzz/drivers/hellos.ts';
import type { IsolatedResult } from '../fuzz/isolated-run.ts';
import { Random } from '../fuzz/random.ts';
import { repoRoot } from '../manifest.ts';
import * as framing from '../../solutions/02-framing/framing.ts';
import * as channel from '../../solutions/05-encryption/channel.ts';
import * as messages from '../../solutions/06-audit/messages.ts';

const SEED = 20_261_124;
const INPUTS = 2000;

interface FuzzRun {
  code: number | null;
  reports: IsolatedResult[];
}

/**
 * `npm run fuzz -- <args> --json`, bounded; the reports it printed. The bound stays under
 * vitest's own test timeout (90 s): the bound, not vitest, ends a run that hangs, so the failure
 * says what was awaited and the fuzz process is killed (vitest's timeout would leave it running).
 */
async function fuzz(args: string[], withinMs = 60_000): Promise<FuzzRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('harness', 'fuzz', 'cli.ts'), ...args, '--json'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await within(withinMs, `npm run fuzz -- ${args.join(' ')} to finish`, new Promise<number | null>((resolve) => child.once('close', resolve))).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  expect(stderr, 'what the fuzz run printed on stderr').toBe('');
  return { code, reports: (JSON.parse(stdout) as { reports: IsolatedResult[] }).reports };
}

const ran = (result: IsolatedResult | undefined): DriverReport => {
  expect(result, 'the driver ran').toBeDefined();
  expect('skipped' in result! || 'broken' in result!, `the driver ran: ${JSON.stringify(result)}`).toBe(false);
  return result as DriverReport;
};

const share = (report: DriverReport, matches: (outcome: string) => boolean) =>
  Object.entries(report.outcomes).reduce((sum, [outcome, count]) => sum + (matches(outcome) ? count : 0), 0) / report.inputs;

describe('the seeded generator', () => {
  test('a seed gives the same values today as when it was printed (known answers), and labels give independent streams', () => {
    const random = new Random(1);
    expect([random.next(), random.next(), random.next()]).toEqual([1828152527, 3394835397, 2967886022]);
    expect(Random.for(1, 'frame decoder', 7).bytes(100).toString('hex')).toBe(Random.for(1, 'frame decoder', 7).bytes(100).toString('hex'));
    expect(Random.for(1, 'frame decoder', 7).next()).not.toBe(Random.for(1, 'frame decoder', 8).next());
    expect(Random.for(1, 'frame decoder', 7).next()).not.toBe(Random.for(1, 'client hello', 7).next());
  });
});

describe('the reference decoder', () => {
  test("reads docs/protocol.md's examples: hello is one frame, text reads as a length over the limit", () => {
    const hello = Buffer.from('000000056865 6c6c6f'.replace(/ /g, ''), 'hex');
    expect(referenceDecode(hello, 65536).frames.map((f) => f.body.toString())).toEqual(['hello']);
    expect(referenceDecode(Buffer.from('hello'), 65536).error).toEqual({ end: 4, announced: 1_751_477_356 });
    expect(referenceDecode(Buffer.from('00000000', 'hex'), 65536).frames.map((f) => f.body.length)).toEqual([0]);
  });
});

test(`a bounded fuzz run (${INPUTS} inputs per driver, seed ${SEED}) finds nothing wrong with the reference solutions and reaches every kind of outcome`, async () => {
  const { code, reports } = await fuzz(['--seed', String(SEED), '--inputs', String(INPUTS)], 80_000);
  const byName = new Map(reports.map((r) => [r.driver, r]));
  for (const result of reports) {
    const report = ran(result);
    expect(report.failure, `${report.driver}: ${JSON.stringify(report.failure)}`).toBeUndefined();
    expect(report.stopped).toBeUndefined();
    expect(report.inputs, report.driver).toBe(INPUTS);
  }
  expect(code).toBe(0);

  // Coverage: a generator that drifted into producing only garbage (or only valid input) would test little.
  const decoder = ran(byName.get('frame decoder'));
  for (const outcome of ['refused: a length over the limit', 'whole frames', 'whole frames, then an unfinished one kept', 'no whole frame yet']) expect(decoder.outcomes[outcome], outcome).toBeGreaterThan(INPUTS / 50);
  const clientHello = ran(byName.get('client hello'));
  expect(share(clientHello, (o) => o === 'answered')).toBeGreaterThan(0.1);
  expect(clientHello.outcomes['refused: the peer sent an unusable key']).toBeGreaterThan(INPUTS / 50);
  const serverHello = ran(byName.get('server hello'));
  for (const outcome of ["accepted: the server's identity", 'accepted: another identity, for the known-servers check to refuse', 'refused: the peer sent an unusable key']) {
    expect(serverHello.outcomes[outcome], outcome).toBeGreaterThan(INPUTS / 50);
  }
  expect(share(serverHello, (o) => o.includes('signature does not match'))).toBeGreaterThan(0.02);
  const sealed = ran(byName.get('sealed frame'));
  expect(share(sealed, (o) => o === 'opened')).toBeGreaterThan(0.1);
  expect(share(sealed, (o) => o.startsWith('refused'))).toBeGreaterThan(0.3);
  const messages = ran(byName.get('chat message'));
  for (const outcome of ['accepted: register', 'accepted: login', 'accepted: chat', 'accepted: who', 'refused: bad-message', 'refused: bad-name', 'refused: bad-password', 'refused: bad-text']) {
    expect(messages.outcomes[outcome], outcome).toBeGreaterThan(INPUTS / 100);
  }
});

test('the same seed makes the same inputs, input for input, so a printed seed replays its run', () => {
  // Only the making of inputs runs here (in this process): it calls none of the code under test.
  for (const make of [() => frameDecoderDriver(framing), () => chatMessageDriver(messages), () => clientHelloDriver(channel, 7)]) {
    const [first, second] = [make(), make()];
    for (let index = 0; index < 300; index++) {
      const [a, b] = [first.make(Random.for(7, first.name, index)), second.make(Random.for(7, second.name, index))];
      expect(Buffer.from(a.input).equals(Buffer.from(b.input)), `${first.name}, input ${index}`).toBe(true);
      expect(a.steps).toEqual(b.steps);
    }
  }
});

// Child processes that mostly wait on their own start-up: side by side.
describe.concurrent('each broken program kept as a fixture is caught, for its own mistake', () => {
  const framing = (name: string) => path.join(repoRoot, 'harness', 'fixtures', '02-framing', name);
  const own = (name: string) => path.join(repoRoot, 'harness', 'fuzz', 'fixtures', name);
  test.each([
    { name: 'one-chunk-one-frame', target: framing('one-chunk-one-frame'), driver: 'frame decoder', mistake: /push\(\) had returned \d+ frames; the protocol completes \d+|frame \d+ is wrong from byte/ },
    { name: 'allocates-before-checking', target: framing('allocates-before-checking'), driver: 'frame decoder', mistake: /accepted a header announcing \d+ bytes, over the limit|threw only for bytes|never refused the header/ },
    // A length read as a negative number never moves the stream on: the input runs forever, and the watchdog names it.
    { name: 'signed-length', target: framing('signed-length'), driver: 'frame decoder', mistake: /did not finish within \d+ s|accepted a header announcing \d+ bytes, over the limit/ },
    { name: 'text-buffer', target: framing('text-buffer'), driver: 'frame decoder', mistake: /frame \d+ is wrong from byte|but no header there is over the limit|had returned \d+ frames/ },
    { name: 'unchecked-hello', target: own('unchecked-hello'), driver: 'client hello', mistake: /it threw (TypeError|SyntaxError): .*, not the documented ChannelError/ },
    { name: 'keeps-every-field', target: own('keeps-every-field'), driver: 'chat message', mistake: /parseMessage\(\) returned the fields .*; the protocol keeps/ },
  ])('the $driver driver catches $name', async ({ target, driver, mistake }) => {
    // One input may take 2 s, not 5: the fixtures' inputs take about a millisecond, and a loop is a loop.
    const { code, reports } = await fuzz(['--seed', String(SEED), '--inputs', String(INPUTS), '--target', target, '--driver', driver, '--input-seconds', '2']);
    const report = ran(reports[0]);
    expect(code).toBe(1);
    expect(report.failure?.message).toMatch(mistake);
    expect(report.failure?.input, 'the failure shows its input').toBeTruthy();
  });
});
