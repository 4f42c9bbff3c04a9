// A load generator: a separate process (forked by fleet.ts) that plays a share of the clients
// against the server under test, so that the load's CPU is not the server's. It obeys its
// parent over IPC, one command at a time: set up, open the connections stage by stage, wait
// until every join notice has arrived, run a timed burst of chat, wait until everything sent
// has been delivered, report. Every loop is bounded in count and time; it exits when its
// parent goes away, and in any case after MAX_LIFETIME_MS.

import { within } from '../../kit/failure.ts';
import { LoadClient, type ReceiveSink } from './load-client.ts';
import {
  chatText,
  nowMicros,
  readChatText,
  type Command,
  type DrainResult,
  type Reply,
  type RunPlan,
  type RunResult,
  type SetupCommand,
  type Stage,
  type StageResult,
  type StatusResult,
} from './messages.ts';

const MAX_LIFETIME_MS = 20 * 60_000;
const MAX_LATENCY_SAMPLES = 100_000;

let setup: SetupCommand | undefined;
let clients: LoadClient[] = [];
const localByName = new Map<string, LoadClient>();
/** Witnesses see every message of this generator's senders (A sees all but its own, B sees A's): they pace the window. */
let witnessA: LoadClient | undefined;
let witnessB: LoadClient | undefined;
let closedByServer = 0;
let firstCloseReason: string | undefined;

// ---- the run in progress ------------------------------------------------------------------------

let plan: RunPlan | undefined;
let sending = false;
let sentRun = 0;
let ackedRun = 0;
let skipped = 0;
let nextSender = 0;
/** The clients in the room, who take turns to send. */
let senders: LoadClient[] = [];
let windowStart = Number.POSITIVE_INFINITY;
let windowEnd = Number.NEGATIVE_INFINITY;
let latencies: number[] = [];
let latencySeen = 0;
let violations = 0;
/** Called after frames arrive, while a settle or a drain waits. */
let onProgress: (() => void) | undefined;

const sink: ReceiveSink = {
  shouldOpen: (client) => plan === undefined || plan.verify || client === witnessA || client === witnessB || client.chats % plan.sampleEvery === 0,
  opened: (client, plaintext) => readChat(client, plaintext),
  progressed: () => onProgress?.(),
  closed: (client, reason) => {
    closedByServer++;
    firstCloseReason ??= `${client.name}: ${reason}`;
    onProgress?.();
  },
};

function readChat(client: LoadClient, plaintext: Buffer): void {
  let message: { type?: unknown; from?: unknown; text?: unknown };
  try {
    message = JSON.parse(plaintext.toString('utf8'));
  } catch {
    violations++;
    return;
  }
  if (message.type !== 'chat' || typeof message.text !== 'string' || typeof message.from !== 'string') {
    violations++;
    return;
  }
  const chat = readChatText(message.text);
  if (!chat) {
    violations++;
    return;
  }
  const now = nowMicros();
  if (now >= windowStart && now <= windowEnd) recordLatency(now - chat.sentMicros);
  if ((client === witnessA && message.from !== witnessA.name && localByName.has(message.from)) || (client === witnessB && message.from === witnessA?.name)) {
    ackedRun++;
    if (sending && plan?.mode === 'window') pump();
  }
  if (plan?.verify) {
    const last = client.lastSeq.get(message.from) ?? -1;
    if (chat.seq !== last + 1) violations++;
    client.lastSeq.set(message.from, chat.seq);
  }
}

function recordLatency(micros: number): void {
  latencySeen++;
  if (latencies.length < MAX_LATENCY_SAMPLES) latencies.push(micros);
  else {
    // Reservoir sampling: every sample of the window keeps the same chance to be in the set.
    const slot = Math.floor(Math.random() * latencySeen);
    if (slot < MAX_LATENCY_SAMPLES) latencies[slot] = micros;
  }
}

function sendOne(): void {
  const client = senders[nextSender++ % senders.length]!;
  const body = `{"type":"chat",${setup!.protocol === 'ceiling' ? `"from":"${client.name}",` : ''}"text":"${chatText(client.sent++, nowMicros(), plan!.textLength)}"}`;
  client.sendText(body);
  sentRun++;
}

/** Window mode: send until this generator has `window` messages in flight, or the bounds are reached. */
function pump(): void {
  const p = plan!;
  while (sending && sentRun - ackedRun < p.window && sentRun < p.maxMessages) sendOne();
}

function totalChats(): number {
  let total = 0;
  for (const client of clients) total += client.chats;
  return total;
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Waits until `done()` holds, re-checking whenever frames arrive; bounded. */
async function until(done: () => boolean, withinMs: number, awaited: string): Promise<void> {
  if (done()) return;
  const reached = new Promise<void>((resolve) => {
    onProgress = () => {
      if (done()) resolve();
    };
  });
  try {
    await within(withinMs, awaited, reached);
  } finally {
    onProgress = undefined;
  }
}

// ---- the commands -------------------------------------------------------------------------------

/** Runs `step` for every client, at most `concurrency` at once, timing the whole stage. */
async function stage(name: Stage): Promise<StageResult> {
  const s = setup!;
  const chosen = clients.filter((c) => (name === 'enter' ? c.spec.enter : name === 'register' ? c.spec.register !== undefined : true));
  const step = (client: LoadClient): Promise<void> => {
    switch (name) {
      case 'tcp':
        return client.connect(s.host, s.port, s.stepTimeoutMs);
      case 'handshake':
        return client.handshake(s.stepTimeoutMs);
      case 'enter':
        return client.enter(s.password, s.enteringInFleet, s.stepTimeoutMs);
      case 'register':
        return client.register(client.spec.register!, s.password, s.stepTimeoutMs);
    }
  };
  const result: StageResult = { startedAt: nowMicros(), endedAt: 0, ok: 0, failed: 0 };
  let next = 0;
  const worker = async () => {
    while (next < chosen.length) {
      const client = chosen[next++]!;
      try {
        await step(client);
        result.ok++;
      } catch (err) {
        result.failed++;
        result.firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(s.concurrency, chosen.length)) }, worker));
  result.endedAt = nowMicros();
  return result;
}

function run(p: RunPlan): Promise<RunResult> {
  plan = p;
  senders = clients.filter((c) => c.inRoom && !c.closed);
  sentRun = ackedRun = skipped = 0;
  latencies = [];
  latencySeen = 0;
  windowStart = p.startAtMicros + p.warmupMs * 1000;
  windowEnd = windowStart + p.measureMs * 1000;
  const atMicros = (micros: number, action: () => void) => setTimeout(action, Math.max(0, (micros - nowMicros()) / 1000));
  return new Promise((resolve) => {
    let ticker: NodeJS.Timeout | undefined;
    const startMark = { chats: 0, sent: 0, cpu: 0 };
    atMicros(p.startAtMicros, () => {
      sending = true;
      if (p.mode === 'window') return pump();
      // Open loop: what is due by now is sent, unless the window is full (then it is skipped, not queued).
      const began = nowMicros();
      ticker = setInterval(() => {
        const due = Math.floor(((nowMicros() - began) / 1e6) * p.rate!) - sentRun - skipped;
        for (let i = 0; i < due; i++) {
          if (sentRun >= p.maxMessages) break;
          if (sentRun - ackedRun < p.window) sendOne();
          else skipped++;
        }
      }, 2);
    });
    atMicros(windowStart, () => Object.assign(startMark, { chats: totalChats(), sent: sentRun, cpu: cpuMicros() }));
    atMicros(windowEnd, () => {
      sending = false;
      clearInterval(ticker);
      resolve({
        sentByClient: clients.map((c) => c.sent),
        sentInWindow: sentRun - startMark.sent,
        deliveriesInWindow: totalChats() - startMark.chats,
        latencyMicros: latencies,
        skipped,
        cpuMicros: cpuMicros() - startMark.cpu,
        violations,
      });
    });
  });
}

async function drain(totalSent: number, timeoutMs: number): Promise<DrainResult> {
  // Each client receives every message but its own.
  const expectedOf = (c: LoadClient) => (c.inRoom ? totalSent - c.sent : 0);
  const complete = () => clients.every((c) => c.closed || c.chats >= expectedOf(c));
  let reached = true;
  try {
    await until(complete, timeoutMs, 'every message sent to be delivered to every other client');
  } catch {
    reached = false;
  }
  const expected = clients.reduce((total, c) => total + expectedOf(c), 0);
  return {
    complete: reached && clients.every((c) => c.chats === expectedOf(c)),
    received: totalChats(),
    expected,
    excess: clients.reduce((total, c) => total + Math.max(0, c.chats - expectedOf(c)), 0),
  };
}

async function handle(command: Command): Promise<unknown> {
  switch (command.type) {
    case 'setup': {
      setup = command;
      clients = command.clients.map((spec) => new LoadClient(spec, command.protocol, sink));
      for (const client of clients) localByName.set(client.name, client);
      const entering = clients.filter((c) => c.spec.enter || command.protocol === 'ceiling');
      [witnessA, witnessB] = entering;
      return null;
    }
    case 'stage':
      return stage(command.stage);
    case 'settle':
      await until(() => clients.every((c) => !c.inRoom || c.settled), command.timeoutMs, 'every joined notice to arrive');
      return null;
    case 'run':
      return run(command.plan);
    case 'drain':
      return drain(command.totalSent, command.timeoutMs);
    case 'status':
      return { open: clients.filter((c) => c.socket && !c.closed).length, closedByServer, ...(firstCloseReason ? { firstCloseReason } : {}) } satisfies StatusResult;
    case 'close':
      for (const client of clients) client.close();
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (data) => reply({ type: 'reply', id: command.id, ok: true, data }),
    (err: Error) => reply({ type: 'reply', id: command.id, ok: false, error: err.message }),
  );
});
const reply = (message: Reply) => process.send?.(message, undefined, undefined, () => {});
// Never outlive the benchmark that started us.
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), MAX_LIFETIME_MS).unref();
process.send?.({ type: 'ready' });
