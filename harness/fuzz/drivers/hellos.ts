// Fuzzes the two sides of lab 5's handshake, the first thing a stranger's bytes reach.
// - answerHello (the server reading a client's hello): valid hellos in odd spellings, keys X25519
//   refuses, JSON-shaped mutations, byte mutations. A hello is valid when it is a JSON object
//   with "type": "hello", "version": 1 and a "key" that Node's base64 decoder makes 32 bytes of;
//   a valid hello whose key X25519 accepts must be answered with a signed hello (the signature
//   checked here), anything else refused with the module's ChannelError, with a message.
// - ClientHandshake.finish (the client reading the server's hello): the genuine answer, and
//   mutations of it, among them a man in the middle's (its own key, signed by its own identity)
//   and a validly signed all-zero key. finish() must accept exactly the hellos whose signature
//   verifies, under the identity they carry, over this client's key and a key X25519 accepts,
//   and return that identity (whether it is the expected one is the known-servers file's
//   question, asked by the caller); everything else is a ChannelError.
// ClientHandshake makes its own random key, so a replayed input (--only) is the same mutation of
// a hello for another key: the same kind of input, not the very same bytes.

import crypto, { type KeyObject } from 'node:crypto';
import { attempt, FuzzFailure, kindOf, type Driver } from '../engine.ts';
import { mutateBytes } from '../byte-mutators.ts';
import { mutateObject, serialize, type Json, type JsonObject } from '../json-mutators.ts';
import { Random } from '../random.ts';
import { base64Variant, decoded, ed25519Pair, SMALL_ORDER_KEYS, x25519Pair, x25519Refuses, type KeyPair } from './channel-keys.ts';

const LABEL = 'socketlab-v1 handshake';

interface Channel {
  seal(plaintext: Uint8Array): Buffer;
  open(body: Uint8Array): Buffer;
}

export interface ChannelModule {
  answerHello(body: Buffer, identity: KeyObject): { reply: Buffer; channel: Channel };
  ClientHandshake: new () => { readonly hello: Buffer; finish(body: Buffer): { channel: Channel; identity: Buffer } };
  ChannelError: abstract new (...args: never[]) => Error;
}

/** Parses a hello as the protocol reads it: a JSON object, or undefined. */
function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Applies JSON mutations, a spelling, and sometimes byte mutations: the body of one frame. */
function shape(random: Random, hello: JsonObject, steps: string[], mutateFields: boolean): Buffer {
  let value: Json = hello;
  if (mutateFields) {
    for (let n = random.between(1, 3); n > 0 && typeof value === 'object' && value !== null && !Array.isArray(value); n--) {
      const mutation = mutateObject(random, value);
      value = mutation.value;
      steps.push(mutation.step);
    }
  }
  const written = serialize(random, value);
  if (written.step) steps.push(written.step);
  let body: Buffer = Buffer.from(written.text, 'utf8');
  if (random.chance(0.1)) {
    const mutated = mutateBytes(random, body, () => Buffer.from('{"type":"hello","version":1}'), 2);
    body = mutated.bytes;
    steps.push(...mutated.steps);
  }
  return body;
}

export function clientHelloDriver(channel: ChannelModule, seed: number): Driver {
  const identity = ed25519Pair(Random.for(seed, 'client hello', 'identity'));
  return {
    name: 'client hello',
    checks: "answerHello() against the protocol: a valid hello with a usable key answered with a hello signed by the server's identity, anything else a ChannelError",
    make(random) {
      const steps: string[] = [];
      const key = random.chance(0.15) ? random.pick(SMALL_ORDER_KEYS) : random.bytes(32);
      if (SMALL_ORDER_KEYS.some((k) => k.equals(key))) steps.push('a small-order key');
      const keyText = base64Variant(random, key);
      if (keyText.step) steps.push(keyText.step);
      const hello: JsonObject = { type: 'hello', version: 1, key: keyText.text };
      if (random.chance(0.2)) hello[random.pick(['from', 'identity', 'name', 'extra'])] = random.pick<Json>(['x', 1, null, {}]);
      const body = shape(random, hello, steps, random.chance(0.5));
      return { input: body, steps, check: () => checkClientHello(channel, identity, body, steps) };
    },
  };
}

function checkClientHello(channel: ChannelModule, identity: KeyPair, body: Buffer, steps: string[]): string {
  const parsed = parseObject(body);
  const clientKey = parsed && parsed.type === 'hello' && parsed.version === 1 ? decoded(parsed.key) : undefined;
  const valid = clientKey?.length === 32;
  const result = attempt(() => channel.answerHello(body, identity.privateKey), channel.ChannelError, body, steps);
  if ('error' in result) {
    if (valid && !x25519Refuses(clientKey)) throw new FuzzFailure(`answerHello() refused a valid hello: "${result.error.message}"`, body, steps);
    return `refused: ${kindOf(result.error.message)}`;
  }
  if (!valid) throw new FuzzFailure('answerHello() answered a hello the protocol calls invalid', body, steps);
  if (x25519Refuses(clientKey)) throw new FuzzFailure('answerHello() answered a hello whose key X25519 refuses (a small-order key): the session key would be known to anyone', body, steps);
  checkServerHello(result.value.reply, clientKey, identity.raw, body, steps);
  return 'answered';
}

function checkServerHello(reply: Buffer, clientKey: Buffer, identity: Buffer, body: Buffer, steps: string[]): void {
  const fail = (why: string) => new FuzzFailure(`answerHello()'s reply ${why}`, body, steps);
  const hello = Buffer.isBuffer(reply) ? parseObject(reply) : undefined;
  if (!hello) throw fail('is not a JSON object in a Buffer');
  if (hello.type !== 'hello' || hello.version !== 1) throw fail('is not a version 1 hello');
  const [serverKey, theirIdentity, signature] = [decoded(hello.key), decoded(hello.identity), decoded(hello.signature)];
  if (serverKey?.length !== 32 || theirIdentity?.length !== 32 || signature?.length !== 64) throw fail('lacks a 32-byte key, a 32-byte identity or a 64-byte signature');
  if (!theirIdentity.equals(identity)) throw fail("names another identity than the server's");
  const publicKey = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: identity.toString('base64url') }, format: 'jwk' });
  const signed = Buffer.concat([Buffer.from(LABEL), clientKey, serverKey]);
  if (!crypto.verify(null, signed, publicKey, signature)) throw fail('carries a signature that does not verify over the label and both keys');
}

export function serverHelloDriver(channel: ChannelModule, seed: number): Driver {
  const setup = Random.for(seed, 'server hello', 'keys');
  const identity = ed25519Pair(setup);
  const stranger = ed25519Pair(setup); // a man in the middle's own identity
  const server = x25519Pair(setup);
  const client = new channel.ClientHandshake();
  const clientKey = decoded(parseObject(client.hello)?.key);
  if (clientKey?.length !== 32) throw new Error('ClientHandshake.hello has no 32-byte key: the driver cannot build an answer');
  const sign = (key: Buffer, by: KeyObject) => crypto.sign(null, Buffer.concat([Buffer.from(LABEL), clientKey, key]), by);
  const genuine = { key: server.raw, identity: identity.raw, signature: sign(server.raw, identity.privateKey) };
  const zeroKey = Buffer.alloc(32);
  const signedZero = sign(zeroKey, identity.privateKey);

  return {
    name: 'server hello',
    checks: 'ClientHandshake.finish() against the protocol: a hello accepted exactly when its signature verifies under the identity it carries, with a usable key, and that identity returned; every other hello a ChannelError',
    make(random) {
      const steps: string[] = [];
      const fields = { ...genuine };
      switch (random.int(6)) {
        case 0: {
          const mitm = x25519Pair(random);
          Object.assign(fields, { key: mitm.raw, signature: sign(mitm.raw, stranger.privateKey) });
          steps.push("a man in the middle's key, signed by its own identity");
          break;
        }
        case 1:
          Object.assign(fields, { identity: stranger.raw, signature: sign(server.raw, stranger.privateKey) });
          steps.push('another identity, with a valid signature by it');
          break;
        case 2:
          Object.assign(fields, { key: zeroKey, signature: signedZero });
          steps.push("an all-zero key, validly signed by the server's identity");
          break;
        default:
          break;
      }
      const hello: JsonObject = { type: 'hello', version: 1 };
      for (const [name, bytes] of Object.entries(fields)) {
        const text = base64Variant(random, bytes);
        if (text.step) steps.push(`${name} in ${text.step}`);
        hello[name] = text.text;
      }
      const body = shape(random, hello, steps, random.chance(0.5));
      return { input: body, steps, check: () => checkFinish(client, channel.ChannelError, clientKey, identity.raw, body, steps) };
    },
  };
}

/** finish() against the rule: accepted exactly when the signature verifies under the identity the hello carries, with a usable key. */
function checkFinish(
  client: InstanceType<ChannelModule['ClientHandshake']>,
  ChannelError: ChannelModule['ChannelError'],
  clientKey: Buffer,
  serverIdentity: Buffer,
  body: Buffer,
  steps: string[],
): string {
  const parsed = parseObject(body);
  const [key, id, signature] = parsed && parsed.type === 'hello' && parsed.version === 1 ? [decoded(parsed.key), decoded(parsed.identity), decoded(parsed.signature)] : [];
  const verified = key?.length === 32 && id?.length === 32 && signature?.length === 64 && verifies(id, Buffer.concat([Buffer.from(LABEL), clientKey, key]), signature);
  const usable = verified && !x25519Refuses(key!);
  const result = attempt(() => client.finish(body), ChannelError, body, steps);
  if ('error' in result) {
    if (usable) throw new FuzzFailure(`finish() refused a hello signed by the identity it carries, with a usable key: "${result.error.message}"`, body, steps);
    return `refused: ${kindOf(result.error.message)}`;
  }
  if (!verified) throw new FuzzFailure("finish() accepted a hello whose signature does not verify over this client's key and the server's key (a man in the middle would go unnoticed)", body, steps);
  if (!usable) throw new FuzzFailure('finish() accepted a hello whose key X25519 refuses (a small-order key): the session key would be known to anyone', body, steps);
  if (!Buffer.isBuffer(result.value.identity) || !result.value.identity.equals(id!)) throw new FuzzFailure('finish() returned another identity than the one whose signature it checked', body, steps);
  return id!.equals(serverIdentity) ? "accepted: the server's identity" : 'accepted: another identity, for the known-servers check to refuse';
}

/** Ed25519 verification that treats bytes which are no key as "does not verify". */
function verifies(identity: Buffer, message: Buffer, signature: Buffer): boolean {
  try {
    return crypto.verify(null, message, crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: identity.toString('base64url') }, format: 'jwk' }), signature);
  } catch {
    return false;
  }
}

export function sealedFrameDriver(channel: ChannelModule, seed: number): Driver {
  const identity = ed25519Pair(Random.for(seed, 'sealed frame', 'identity'));
  const client = new channel.ClientHandshake();
  const { reply, channel: server } = channel.answerHello(client.hello, identity.privateKey);
  const { channel: sender } = client.finish(reply);
  let previous: Buffer | undefined;
  return {
    name: 'sealed frame',
    checks: 'SecureChannel.open() against the protocol: the next frame, unchanged, opens to what was sealed; any change, a replay, a cut tag is a ChannelError that does not move the counter',
    make(random) {
      const plaintext = random.chance(0.5) ? Buffer.from(JSON.stringify({ type: 'chat', text: 'x'.repeat(random.size(1000)) })) : random.bytes(random.size(2048));
      const sealed = sender.seal(plaintext);
      const steps: string[] = [];
      let body = sealed;
      const roll = random.float();
      if (roll < 0.1 && previous) {
        body = previous;
        steps.push('the frame before, replayed');
      } else if (roll < 0.75) {
        const mutated = mutateBytes(random, sealed, () => previous ?? sealed, 3);
        body = mutated.bytes;
        steps.push(...mutated.steps);
      }
      previous = sealed;
      return { input: body, steps, check: () => checkOpen(server, channel.ChannelError, body, sealed, plaintext, steps) };
    },
  };
}

function checkOpen(server: Channel, ChannelError: ChannelModule['ChannelError'], body: Buffer, sealed: Buffer, plaintext: Buffer, steps: string[]): string {
  const same = body.equals(sealed);
  const result = attempt(() => server.open(body), ChannelError, body, steps);
  if ('error' in result) {
    if (same) throw new FuzzFailure(`open() refused the genuine next frame: "${result.error.message}"`, body, steps);
    // The refused frame must not have moved the receiver on: the genuine one still opens.
    const genuine = attempt(() => server.open(sealed), ChannelError, sealed, [...steps, 'then the genuine frame']);
    if ('error' in genuine || !genuine.value.equals(plaintext)) throw new FuzzFailure('after refusing a changed frame, open() no longer opens the genuine one', sealed, steps);
    return `refused: ${kindOf(result.error.message)}`;
  }
  if (!same) throw new FuzzFailure('open() accepted a frame that is not the one sealed (changed, cut or replayed)', body, steps);
  if (!Buffer.isBuffer(result.value) || !result.value.equals(plaintext)) throw new FuzzFailure('open() returned something else than what was sealed', body, steps);
  return 'opened';
}
