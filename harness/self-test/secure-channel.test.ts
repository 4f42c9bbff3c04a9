// Unit tests of the harness's own secure channel (lab 5): the worked example of docs/protocol.md,
// sealing and opening with counters, the diagnosis of frames that do not open, and the failure
// view that shows what each sealed frame carried.

import crypto from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { frame } from '../kit/frames.ts';
import { explainUnopenable } from '../kit/seal-diagnosis.ts';
import {
  Direction,
  answerHello,
  clientHello,
  deriveSessionKeys,
  fingerprint,
  handshakeTranscript,
  newEphemeral,
  newIdentity,
  open,
  parseHello,
  seal,
  sharedSecret,
  verifySignature,
} from '../kit/secure-channel.ts';
import { Transcript } from '../kit/transcript.ts';
import { renderTranscript } from '../report/transcript-view.ts';
import { plainStyle } from '../report/style.ts';

const b64 = (text: string) => Buffer.from(text, 'base64');
const hex = (text: string) => Buffer.from(text, 'hex');

describe('the worked example of docs/protocol.md, "Lab 5"', () => {
  const clientKey = b64('e06Qm75//kTEZaIgA31gjuNYl9Me+XLwf3SJLLD3PxM=');
  const serverKey = b64('D6poTtKIZ7l/Smot7l34zpdOdrcBjj8iocTPJnhXDyA=');
  const identity = b64('F8t5+ytBIPKx7GXkGY1uCLKOgT/rAeSkAIObheGAgM4=');
  const secret = hex('9e004098efc091d4ec2663b4e9f5cfd4d7064571690b4bea97ab146ab9f35056');

  test('the shared secret comes from the private keys given (32 × 0x11 and 32 × 0x22)', () => {
    const x25519 = (byte: number) => crypto.createPrivateKey({ key: Buffer.concat([hex('302e020100300506032b656e04220420'), Buffer.alloc(32, byte)]), format: 'der', type: 'pkcs8' });
    const clientPublic = crypto.createPublicKey(x25519(0x11)).export({ format: 'jwk' }).x;
    expect(Buffer.from(clientPublic!, 'base64url')).toEqual(clientKey);
    expect(crypto.diffieHellman({ privateKey: x25519(0x11), publicKey: crypto.createPublicKey(x25519(0x22)) })).toEqual(secret);
  });

  test('signature, fingerprint, keys and the first sealed frames', () => {
    const signature = b64('2PHUB7fRi6fTDo7XqrXxob3XjX0bopi6IJC457uptWqLoRVHXXkEe6Cu3g5Hrtj5DmP23+j0PWSbAIVJwIgpCA==');
    expect(verifySignature(identity, handshakeTranscript(clientKey, serverKey), signature)).toBe(true);
    expect(verifySignature(identity, handshakeTranscript(serverKey, clientKey), signature)).toBe(false);
    expect(fingerprint(identity)).toBe('SHA256:bI+GB9vocHemKimQzgfZSq90nfdvh7mOt4am0Q8DB2U');
    const keys = deriveSessionKeys(secret, clientKey, serverKey);
    expect(keys.clientToServer.toString('hex')).toBe('a8db89f0c260b42451ae74c1228051bed125aedb3db195208a9acc00d33aeff9');
    expect(keys.serverToClient.toString('hex')).toBe('b39c9f093385ee2666cf59447614c93b3bd78faeeea27e27ed17514a4de2d407');
    expect(seal(keys.clientToServer, 0, Buffer.from('{"type":"who"}')).toString('hex')).toBe('09ec00eb8e6b499f60433f29cfebd2936133d0ff10d67471b23725ae045a');
    expect(seal(keys.serverToClient, 0, Buffer.from('{"type":"who","present":["alice"]}')).toString('hex')).toBe(
      '8b4db8608fe0f1e7ae3f1e1e86762fca687abca76411c5584261cec7cf13c205f4cae0d20665db7f31fca7425d5207c67f1c',
    );
  });
});

describe('a handshake and sealed frames', () => {
  const client = newEphemeral();
  const { hello, keys } = answerHello(client.publicRaw, newIdentity());
  const body = Buffer.from(JSON.stringify(hello));

  test('both sides derive the same keys, and the client can check the signature', () => {
    const parsed = parseHello(body, true);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(verifySignature(parsed.identity!, handshakeTranscript(client.publicRaw, parsed.key), parsed.signature!)).toBe(true);
    expect(deriveSessionKeys(sharedSecret(client, parsed.key), client.publicRaw, parsed.key)).toEqual(keys);
  });

  test('a hello with a wrong field is explained, not accepted', () => {
    expect(parseHello(Buffer.from('hello'), false)).toBe('it is not valid JSON');
    expect(parseHello(Buffer.from('{"type":"who"}'), false)).toBe('its "type" is "who", not "hello"');
    expect(parseHello(Buffer.from(JSON.stringify({ ...clientHello(client), key: 'AAAA' })), false)).toMatch(/exactly 32 bytes/);
    expect(parseHello(body, false)).not.toBeTypeOf('string');
  });

  test('a frame opens only with its key and its counter: replay, reorder and tampering fail', () => {
    const sender = new Direction(keys.clientToServer);
    const receiver = new Direction(keys.clientToServer);
    const first = sender.seal(Buffer.from('one'));
    const second = sender.seal(Buffer.from('two'));
    expect(receiver.open(second)).toBeUndefined(); // out of order
    expect(receiver.open(first)?.toString()).toBe('one');
    expect(receiver.open(first)).toBeUndefined(); // replayed
    const tampered = Buffer.from(second);
    tampered[0]! ^= 1;
    expect(receiver.open(tampered)).toBeUndefined();
    expect(receiver.open(second)?.toString()).toBe('two');
    expect(open(keys.serverToClient, 0, first)).toBeUndefined(); // the other direction's key
  });

  test('the diagnosis names a fixed nonce, one key for both directions, and a frame in the clear', () => {
    expect(explainUnopenable(seal(keys.serverToClient, 0, Buffer.from('x')), keys, 2, 'server')).toMatch(/fixed nonce/);
    expect(explainUnopenable(seal(keys.clientToServer, 1, Buffer.from('x')), keys, 1, 'server')).toMatch(/one key for both directions/);
    expect(explainUnopenable(Buffer.from('{"type":"who"}'), keys, 0, 'server')).toMatch(/not sealed at all/);
    expect(explainUnopenable(crypto.randomBytes(40), keys, 0, 'server')).toMatch(/key schedule/);
  });
});

test('the failure view shows each sealed frame beside the plaintext it carried', () => {
  const transcript = new Transcript();
  const log = transcript.open('alice', 'frames');
  const keys = { clientToServer: crypto.randomBytes(32), serverToClient: crypto.randomBytes(32) };
  log.bytes('sent', frame('{"type":"hello"}'));
  const plaintext = Buffer.from('{"type":"chat","text":"hello, bob"}');
  log.sealed('sent', 2, plaintext);
  log.bytes('sent', frame(seal(keys.clientToServer, 0, plaintext)));
  log.bytes('received', frame('{"type":"hello"}'));
  log.bytes('received', frame(crypto.randomBytes(30)));
  log.sealed('received', 2, undefined, 'does not open with the session keys');
  const lines = renderTranscript(transcript.connections, plainStyle).join('\n');
  expect(lines).toContain('frame #2 carries: {"type":"chat","text":"hello, bob"}');
  expect(lines).toContain('frame #2: no plaintext  (does not open with the session keys)');
});
