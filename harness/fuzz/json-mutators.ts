// Mutations that keep the shape of JSON. A message parser's bugs hide behind valid JSON with a
// field of the wrong type, a missing or an extra field, a key like "__proto__", a string with a
// lone surrogate or a line separator, a number past 2^53, a duplicated key: random bytes almost
// never get past JSON.parse, so they never reach that code.

import type { Random } from './random.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Strings a parser may mishandle: empty, control and invisible characters, surrogates, very long ones. */
export function edgeString(random: Random): string {
  switch (random.int(12)) {
    case 0:
      return '';
    case 1:
      return String.fromCharCode(random.int(0x20)); // a control character: \n, \t, NUL…
    case 2:
      return random.pick(['\u2028', '\u2029', '\u007f', '\u0085', '\u009f', '\ufeff', '\u200b', '\u202e']);
    case 3:
      return random.pick(['\ud800', '\udfff', '\ud83d\ude00', '\ud83d']); // lone and paired surrogates
    case 4:
      return random.pick(['SERVER', 'server', 'System', 'sErVeR', 'admin', 'null', 'undefined', '__proto__', 'constructor']);
    case 5:
      return 'x'.repeat(random.size(70_000)); // around the limits: names 20, text 1000, frames 64 KiB
    case 6:
      return 'é'.repeat(random.size(1001));
    case 7:
      return '\ud83d\ude00'.repeat(random.size(600)); // 2 UTF-16 units, 4 UTF-8 bytes each
    case 8:
      return random.pick(['a', 'alice', 'bob_2', 'a-b', 'élodie', 'al ice', 'alice\n', 'x'.repeat(20), 'x'.repeat(21)]);
    case 9:
      return random.pick(['hello', 'hello, bob', '{"type":"who"}', 'a\r\nb', 'tab\there']);
    case 10:
      return random.bytes(random.size(64)).toString('latin1');
    default:
      return random.bytes(random.size(64)).toString('utf8'); // invalid sequences become U+FFFD
  }
}

/** Numbers at the edges of JavaScript's and JSON's ranges. */
function edgeNumber(random: Random): number {
  return random.pick([0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e-308, Number.MAX_VALUE, Number.EPSILON]);
}

/** A JSON value of a random type, sometimes nested. */
export function edgeValue(random: Random, depth = 0): Json {
  const roll = random.int(depth > 2 ? 5 : 8);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return edgeNumber(random);
    case 3:
    case 4:
      return edgeString(random);
    case 5:
      return Array.from({ length: random.size(4) }, () => edgeValue(random, depth + 1));
    case 6: {
      const object: JsonObject = {};
      for (let i = random.size(3); i > 0; i--) object[edgeKey(random)] = edgeValue(random, depth + 1);
      return object;
    }
    default:
      return random.chance(0.5) ? [] : {};
  }
}

function edgeKey(random: Random): string {
  return random.chance(0.5) ? random.pick(['type', 'name', 'password', 'text', 'from', 'version', 'key', 'identity', 'signature', '__proto__', 'constructor', 'prototype', '', 'Type', 'type ']) : edgeString(random).slice(0, 40);
}

/** One change to an object: a field's value replaced, a field removed, added, renamed, or the whole value swapped. */
export function mutateObject(random: Random, value: JsonObject): { value: Json; step: string } {
  const keys = Object.keys(value);
  const object: JsonObject = { ...value };
  const key = keys.length ? random.pick(keys) : 'type';
  switch (random.int(7)) {
    case 0:
    case 1:
      object[key] = edgeValue(random);
      return { value: object, step: `"${key}" set to another value` };
    case 2:
      delete object[key];
      return { value: object, step: `"${key}" removed` };
    case 3: {
      const added = edgeKey(random);
      // defineProperty: a plain assignment to "__proto__" would change the prototype, not add a key.
      Object.defineProperty(object, added, { value: edgeValue(random), enumerable: true, configurable: true, writable: true });
      return { value: object, step: `"${added}" added` };
    }
    case 4: {
      const renamed = random.pick([key.toUpperCase(), `${key} `, ` ${key}`, key.slice(1), `${key}\u0000`]);
      const moved = object[key]!;
      delete object[key];
      object[renamed] = moved;
      return { value: object, step: `"${key}" renamed "${renamed}"` };
    }
    case 5:
      return { value: random.pick<Json>([[object], null, 'hello', 42, [], true]), step: 'the object replaced' };
    default:
      if (typeof object[key] === 'string') object[key] = (object[key] as string) + edgeString(random);
      return { value: object, step: `"${key}" extended` };
  }
}

/**
 * JSON text for a value, sometimes written the odd-but-valid ways another implementation might
 * (whitespace, a byte-order mark, a key given twice: JSON.parse keeps the last one) or subtly not
 * JSON at all (cut short, a second value after it).
 */
export function serialize(random: Random, value: Json): { text: string; step?: string } {
  const text = JSON.stringify(value) ?? 'null';
  switch (random.int(10)) {
    case 0:
      return { text: JSON.stringify(value, null, random.pick([1, 2, '\t'])) ?? 'null', step: 'written with whitespace' };
    case 1:
      return text.startsWith('{') && text.length > 2 ? { text: `{"type":${JSON.stringify(edgeValue(random))},${text.slice(1)}`, step: 'a "type" key written twice' } : { text };
    case 2:
      return { text: `\ufeff${text}`, step: 'a byte-order mark in front' };
    case 3:
      return { text: text.slice(0, random.int(text.length)), step: 'cut short' };
    case 4:
      return { text: `${text}${random.pick([' ', '\n', ' x', '{}', ',', '\u0000'])}`, step: 'something after the value' };
    default:
      return { text };
  }
}
