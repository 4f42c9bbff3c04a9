// Fuzzes the room's trust boundary (lab 6's messages.ts): parseMessage, then the rule checks the
// server applies to what it parsed (checkName, checkNewPassword, checkText). Inputs are the
// client messages of docs/protocol.md with edge values (names of 20 and 21 characters, reserved
// names in any case, text of 1000 and 1001 characters, control and separator characters,
// surrogates), JSON-shaped mutations and odd spellings, and now and then mangled bytes.
// The protocol, written out below, is the reference:
// - parseMessage accepts exactly a JSON object whose "type" is register/login (with "name" and
//   "password" strings), chat (with a "text" string) or who, and returns only those fields;
//   anything else is a ProtocolError "bad-message", with a message;
// - names: 1 to 20 characters from A–Z a–z 0–9 _ -, not "server" or "system" in any case, else
//   "bad-name"; new passwords: 8 to 128 characters, else "bad-password"; chat text: 1 to 1000
//   characters, none in U+0000–U+001F, U+007F–U+009F, U+2028, U+2029, else "bad-text";
// - nothing a client sends adds a property to Object.prototype.

import { attempt, FuzzFailure, type Driver } from '../engine.ts';
import { mutateBytes } from '../byte-mutators.ts';
import { edgeString, mutateObject, serialize, type Json, type JsonObject } from '../json-mutators.ts';
import type { Random } from '../random.ts';

type Parsed = { type: 'register' | 'login'; name: string; password: string } | { type: 'chat'; text: string } | { type: 'who' };
type ProtocolErrorLike = Error & { code?: unknown };

export interface MessagesModule {
  parseMessage(body: Buffer): Parsed;
  ProtocolError: abstract new (...args: never[]) => ProtocolErrorLike;
  checkName(name: string): void;
  checkNewPassword(password: string): void;
  checkText(text: string): void;
}

const NAME = /^[A-Za-z0-9_-]{1,20}$/;
const RESERVED = ['server', 'system'];
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** The protocol's reading of a body: the message it carries, or undefined for "bad-message". */
export function referenceParse(body: Buffer): Parsed | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const m = value as Record<string, unknown>;
  if ((m.type === 'register' || m.type === 'login') && typeof m.name === 'string' && typeof m.password === 'string') return { type: m.type, name: m.name, password: m.password };
  if (m.type === 'chat' && typeof m.text === 'string') return { type: 'chat', text: m.text };
  if (m.type === 'who') return { type: 'who' };
  return undefined;
}

const nameIsValid = (name: string) => NAME.test(name) && !RESERVED.includes(name.toLowerCase());
const passwordIsValid = (password: string) => password.length >= 8 && password.length <= 128;
const textIsValid = (text: string) => text.length >= 1 && text.length <= 1000 && !CONTROL.test(text);

function someName(random: Random): string {
  if (random.chance(0.4)) return edgeString(random);
  const alphabet = random.chance(0.8) ? 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-' : 'aé ._@!\u0000\n\u2028';
  return Array.from({ length: random.size(21) }, () => random.pick([...alphabet])).join('');
}

function somePassword(random: Random): string {
  return random.chance(0.3) ? edgeString(random) : 'p'.repeat(random.pick([0, 1, 7, 8, 9, 64, 127, 128, 129, 4096]));
}

function someText(random: Random): string {
  if (random.chance(0.5)) return edgeString(random);
  const text = 'hello, room '.repeat(90).slice(0, random.pick([0, 1, 2, 999, 1000, 1001]));
  return random.chance(0.3) ? text.replace(/ /, random.pick(['\n', '\t', '\u2028', '\u0085', '\u007f', '\u202e'])) : text;
}

function someMessage(random: Random): JsonObject {
  switch (random.int(4)) {
    case 0:
      return { type: 'register', name: someName(random), password: somePassword(random) };
    case 1:
      return { type: 'login', name: someName(random), password: somePassword(random) };
    case 2:
      return random.chance(0.2) ? { type: 'chat', text: someText(random), from: 'SERVER' } : { type: 'chat', text: someText(random) };
    default:
      return { type: 'who' };
  }
}

export function chatMessageDriver(messages: MessagesModule): Driver {
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).length;
  return {
    name: 'chat message',
    checks: 'parseMessage() and the name, password and text checks against the protocol: exactly the documented messages and fields accepted, every refusal a ProtocolError with the documented code',
    make(random) {
      const steps: string[] = [];
      let value: Json = someMessage(random);
      for (let n = random.chance(0.5) ? random.between(1, 3) : 0; n > 0 && typeof value === 'object' && value !== null && !Array.isArray(value); n--) {
        const mutation = mutateObject(random, value);
        value = mutation.value;
        steps.push(mutation.step);
      }
      const written = serialize(random, value);
      if (written.step) steps.push(written.step);
      let body: Buffer = Buffer.from(written.text, 'utf8');
      if (random.chance(0.08)) {
        const mutated = mutateBytes(random, body, () => Buffer.from('{"type":"chat","text":"hi"}'), 2);
        body = mutated.bytes;
        steps.push(...mutated.steps);
      }
      return {
        input: body,
        steps,
        check() {
          const outcome = judge(messages, body, steps);
          if (Object.getOwnPropertyNames(Object.prototype).length !== prototypeKeys) throw new FuzzFailure('after this message Object.prototype has a new property (prototype pollution)', body, steps);
          return outcome;
        },
      };
    },
  };
}

function judge(messages: MessagesModule, body: Buffer, steps: string[]): string {
  const fail = (why: string) => new FuzzFailure(why, body, steps);
  const refusal = (call: () => unknown, code: string, valid: boolean, what: string): string | undefined => {
    const result = attempt(call, messages.ProtocolError, body, steps);
    if ('error' in result) {
      if (valid) throw fail(`${what} was refused ("${result.error.message}"), but the protocol allows it`);
      if (result.error.code !== code) throw fail(`${what} was refused with code ${JSON.stringify(result.error.code)}, not "${code}"`);
      return `refused: ${code}`;
    }
    if (!valid) throw fail(`${what} was accepted, but the protocol refuses it with "${code}"`);
    return undefined;
  };

  const expected = referenceParse(body);
  const parsed = attempt(() => messages.parseMessage(body), messages.ProtocolError, body, steps);
  if ('error' in parsed) {
    if (expected) throw fail(`parseMessage() refused a valid ${expected.type} message ("${parsed.error.message}")`);
    if (parsed.error.code !== 'bad-message') throw fail(`parseMessage() refused with code ${JSON.stringify(parsed.error.code)}, not "bad-message"`);
    return 'refused: bad-message';
  }
  if (!expected) throw fail('parseMessage() accepted a body the protocol calls a bad message');
  const got = parsed.value as unknown as Record<string, unknown>;
  if (typeof got !== 'object' || got === null || Object.getPrototypeOf(got) !== Object.prototype) throw fail('parseMessage() returned something else than a plain object');
  const expectedKeys = Object.keys(expected).sort();
  if (JSON.stringify(Object.keys(got).sort()) !== JSON.stringify(expectedKeys)) throw fail(`parseMessage() returned the fields ${Object.keys(got).join(', ')}; the protocol keeps ${expectedKeys.join(', ')} (others are dropped)`);
  for (const key of expectedKeys) if (got[key] !== (expected as Record<string, unknown>)[key]) throw fail(`parseMessage() changed the field "${key}"`);

  if (expected.type === 'register' || expected.type === 'login') {
    const name = refusal(() => messages.checkName(expected.name), 'bad-name', nameIsValid(expected.name), `the name ${JSON.stringify(expected.name.slice(0, 40))}`);
    if (name) return name;
    if (expected.type === 'register') {
      const password = refusal(() => messages.checkNewPassword(expected.password), 'bad-password', passwordIsValid(expected.password), `a new password of ${expected.password.length} characters`);
      if (password) return password;
    }
  }
  if (expected.type === 'chat') {
    const text = refusal(() => messages.checkText(expected.text), 'bad-text', textIsValid(expected.text), `the chat text ${JSON.stringify(expected.text.slice(0, 40))}`);
    if (text) return text;
  }
  return `accepted: ${expected.type}`;
}
