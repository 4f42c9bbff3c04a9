// A chat room participant for scenarios (lab 3 on): a TestClient that speaks the JSON
// messages of docs/protocol.md in frames. Every expectation names who waited for what, and a
// wrong message is shown as it arrived, so a failure reads like the conversation it was.

import { ScenarioFailure, check } from './failure.ts';
import type { ScenarioContext } from './scenario.ts';
import type { FrameWaitOptions, TestClient } from './client.ts';

/** A message as it came off the wire: a JSON object whose fields are not trusted yet. */
export type ChatMessage = Record<string, unknown>;

/** What messages travel through: the connection itself, or (lab 5) a secure channel over it. */
export type MessageTransport = Pick<TestClient, 'sendFrame' | 'expectJson' | 'halfClose'>;

/** Longest JSON shown in a failure; chat lines in load scenarios are 1000 characters. */
const SHOWN_CHARS = 160;

/** A message as one short line of JSON, for failure messages. */
export function show(message: unknown): string {
  // JSON escapes "\n" and the other C0 controls, but not C1 controls or U+2028/U+2029, which
  // would break or hide the line in a terminal.
  const json = (JSON.stringify(message) ?? String(message)).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return json.length > SHOWN_CHARS ? `${json.slice(0, SHOWN_CHARS)}… (${json.length} characters)` : json;
}

export class ChatClient {
  private constructor(
    /** The connection itself, for faults on the raw socket (reset, stop reading). */
    readonly wire: TestClient,
    /** Who this participant is in failure messages: its name once joined, its label before. */
    public who: string,
    private readonly transport: MessageTransport = wire,
  ) {}

  /** A participant whose messages go through `channel` (lab 5: a SecureClient, which seals and opens them). */
  static over(channel: MessageTransport & { wire: TestClient }, who: string): ChatClient {
    return new ChatClient(channel.wire, who, channel);
  }

  /** Opens a connection without joining. */
  static async connect(connect: ScenarioContext['connect'], label: string): Promise<ChatClient> {
    return new ChatClient(await connect(label, { view: 'frames' }), label);
  }

  /** Opens a connection labelled `name` and joins the room under that name. */
  static async joined(connect: ScenarioContext['connect'], name: string): Promise<ChatClient> {
    const client = await ChatClient.connect(connect, name);
    await client.join(name);
    return client;
  }

  // ---- sending -----------------------------------------------------------------------------

  /** Sends one message (any object, or raw text/bytes for malformed frames) as one frame. */
  async send(message: object | string | Uint8Array, note?: string): Promise<void> {
    await this.transport.sendFrame(message, note);
  }

  async say(text: string): Promise<void> {
    await this.send({ type: 'chat', text });
  }

  /** Joins as `name` and expects the welcome; returns the names the welcome says are present. */
  async join(name: string): Promise<string[]> {
    await this.send({ type: 'join', name });
    const what = this.who === name ? `the welcome after joining as "${name}"` : `the welcome after joining as "${name}" (on the connection labelled ${this.who})`;
    const welcome = await this.expect({ type: 'welcome', name }, { what });
    this.who = name;
    return namesIn(welcome, 'present', `the welcome to ${name}`);
  }

  // ---- receiving ---------------------------------------------------------------------------

  /** The next message, whatever it is; fails if it is not a JSON object with a string "type". */
  async next(options: FrameWaitOptions = {}): Promise<ChatMessage> {
    const what = options.what ?? `a message for ${this.who}`;
    let value: unknown;
    try {
      value = await this.transport.expectJson({ ...options, what });
    } catch (err) {
      // Say it in the room's words (who waited for which message), not the frame's (a header).
      const wait = err instanceof ScenarioFailure ? err.details.wait : undefined;
      if (!wait || wait.receivedBytes) throw err;
      throw new ScenarioFailure(`${this.who} waited ${wait.withinMs} ms for ${what}, and nothing arrived.`, { ...(err as ScenarioFailure).details, wait: { ...wait, awaited: what } });
    }
    check(typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as ChatMessage).type === 'string', `${this.who} received a frame that is not a message object with a "type", while waiting for ${what}.`, {
      expected: 'a JSON object with a "type" field',
      actual: show(value),
    });
    return value as ChatMessage;
  }

  /**
   * The next message must have every field of `fields` with that value (other fields may
   * be there too). Anything else arriving first is a failure: nothing may slip in between.
   */
  async expect(fields: ChatMessage, options: FrameWaitOptions = {}): Promise<ChatMessage> {
    const what = options.what ?? `the message ${show(fields)}`;
    const message = await this.next({ ...options, what });
    const wrong = Object.keys(fields).filter((key) => JSON.stringify(message[key]) !== JSON.stringify(fields[key]));
    check(wrong.length === 0, `${this.who} was waiting for ${what}, but the next message from the server was something else.`, {
      expected: `${show(fields)}${Object.keys(fields).length > 1 ? ' (other fields allowed)' : ''}`,
      actual: show(message),
    });
    return message;
  }

  /** The next message must be an error with this code and a non-empty explanation. */
  async expectError(code: string, because: string): Promise<ChatMessage> {
    const error = await this.expect({ type: 'error', code }, { what: `an error "${code}" because ${because}` });
    check(typeof error.message === 'string' && error.message.trim() !== '', `The error "${code}" sent to ${this.who} has no "message" text explaining it.`, {
      expected: 'a "message" field with a sentence for the person',
      actual: show(error),
    });
    return error;
  }

  /** Asks who is present and checks the answer (in any order). */
  async expectRoster(names: string[]): Promise<void> {
    await this.send({ type: 'who' });
    const reply = await this.expect({ type: 'who' }, { what: 'the answer to its "who" request' });
    const present = namesIn(reply, 'present', `the answer to ${this.who}'s "who"`);
    checkSameNames(present, names, `The answer to ${this.who}'s "who"`);
  }

  /** The next `count` messages, each within the usual bound, whatever their type. */
  async collect(count: number, what: string): Promise<ChatMessage[]> {
    const messages: ChatMessage[] = [];
    for (let i = 1; i <= count; i++) messages.push(await this.next({ what: `${what} (message ${i} of ${count})` }));
    return messages;
  }

  /** Ends the conversation politely: half-close, the way a client that quits says goodbye. */
  quit(): void {
    this.transport.halfClose();
  }
}

/** Reads a list of names from a message field, failing clearly when it is not one. */
export function namesIn(message: ChatMessage, field: string, where: string): string[] {
  const value = message[field];
  check(Array.isArray(value) && value.every((name) => typeof name === 'string'), `The "${field}" field of ${where} is not a list of names.`, {
    expected: `"${field}": ["alice", "bob", …]`,
    actual: show(message),
  });
  return value as string[];
}

/** Two lists of names hold the same names, in any order. */
export function checkSameNames(actual: string[], expected: string[], where: string): void {
  const sorted = (names: string[]) => [...names].sort();
  if (JSON.stringify(sorted(actual)) !== JSON.stringify(sorted(expected))) {
    throw new ScenarioFailure(`${where} does not list who is in the room.`, {
      kind: 'mismatch',
      expected: JSON.stringify(expected) + ' (in any order)',
      actual: JSON.stringify(actual),
    });
  }
}
