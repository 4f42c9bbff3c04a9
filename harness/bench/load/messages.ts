// What the load generators send and read, shared by the generator and its parent: the
// commands and replies over IPC, and the chat text that carries a sequence number and a send
// time. Times are process.hrtime (CLOCK_MONOTONIC on Linux, one clock for every process of the
// machine), in microseconds, so a receiver in one generator can time a message sent by another.

import type { WireProtocol } from '../servers-under-test.ts';

export const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/** One load client: its place in the whole fleet, its account name, and what it does. */
export interface ClientSpec {
  index: number;
  name: string;
  /** Logs in (room) or joins (lab 3); a ceiling client is in the "room" once connected. */
  enter: boolean;
  /** Registers this new account name through the room (connections benchmark). */
  register?: string;
}

export interface SetupCommand {
  type: 'setup';
  protocol: WireProtocol;
  host: string;
  port: number;
  clients: ClientSpec[];
  password: string;
  /** Connections, handshakes or logins this generator has in progress at once. */
  concurrency: number;
  /** How many clients of the whole fleet enter the room: each learns from its welcome how many joined notices follow. */
  enteringInFleet: number;
  /** Bound of each single step (a connect, a handshake, a login). */
  stepTimeoutMs: number;
}

export type Stage = 'tcp' | 'handshake' | 'enter' | 'register';

export interface RunPlan {
  /** "window": as fast as the server goes, at most `window` of this generator's messages in flight; "rate": `rate` messages a second (open loop, still bounded by `window`). */
  mode: 'window' | 'rate';
  window: number;
  rate?: number;
  /** hrtime, µs: when sending starts (the same instant in every generator). */
  startAtMicros: number;
  warmupMs: number;
  measureMs: number;
  /** Bound in count: this generator sends no more than this. */
  maxMessages: number;
  /** Receivers open (decrypt, parse) one chat frame in this many to read its send time; witnesses open all. */
  sampleEvery: number;
  /** Open every frame and check each sender's messages arrive once each, in order. */
  verify: boolean;
  textLength: number;
}

export type Command =
  | (SetupCommand & { id: number })
  | { type: 'stage'; id: number; stage: Stage }
  | { type: 'settle'; id: number; timeoutMs: number }
  | { type: 'run'; id: number; plan: RunPlan }
  | { type: 'drain'; id: number; totalSent: number; timeoutMs: number }
  | { type: 'status'; id: number }
  | { type: 'close'; id: number };

export interface StageResult {
  /** hrtime µs of the first step started and the last one finished. */
  startedAt: number;
  endedAt: number;
  ok: number;
  failed: number;
  firstError?: string;
}

export interface RunResult {
  /** Per local client: messages sent since the setup (cumulative, in fleet order of this generator). */
  sentByClient: number[];
  sentInWindow: number;
  /** Chat frames received by all local clients within the measured window. */
  deliveriesInWindow: number;
  /** Send-to-receive times of the opened frames received within the window, µs. */
  latencyMicros: number[];
  /** Sends skipped in rate mode because the window was full (the server could not keep up). */
  skipped: number;
  /** This generator's CPU time within the window, µs. */
  cpuMicros: number;
  /** With verify: messages that arrived twice, out of order, or were not chats. */
  violations: number;
}

export interface DrainResult {
  complete: boolean;
  received: number;
  expected: number;
  /** Chat frames beyond what was sent: duplicates or strays. */
  excess: number;
}

export interface StatusResult {
  open: number;
  /** Connections the server closed (or reset). */
  closedByServer: number;
  firstCloseReason?: string;
}

export type Reply = { type: 'reply'; id: number; ok: true; data: unknown } | { type: 'reply'; id: number; ok: false; error: string };

/** The chat text: "<seq>:<sent µs>:" and padding up to `length` characters (no control characters). */
export function chatText(seq: number, sentMicros: number, length: number): string {
  const head = `${seq}:${sentMicros}:`;
  return head.length >= length ? head : head + 'x'.repeat(length - head.length);
}

export function readChatText(text: string): { seq: number; sentMicros: number } | undefined {
  const first = text.indexOf(':');
  const second = text.indexOf(':', first + 1);
  if (first < 0 || second < 0) return undefined;
  return { seq: Number(text.slice(0, first)), sentMicros: Number(text.slice(first + 1, second)) };
}
