// The harness's own reading of the secure channel (docs/protocol.md, "Lab 5"): the hello
// messages, the signed handshake transcript, the key schedule and the sealed frames. Written
// apart from any learner or solution code, from Node's own modules only, so the tests never trust
// the code they are testing. The harness plays both roles with it: a client of the learner's
// server, and (as a man in the middle) a server to the learner's client.

import crypto, { type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FRAME_LIMIT } from './frames.ts';

export const CHANNEL_VERSION = 1;
/** Put in front of the two ephemeral keys before signing, so the signature means "this handshake". */
export const HANDSHAKE_LABEL = 'socketlab-v1 handshake';
export const CLIENT_TO_SERVER_INFO = 'socketlab-v1 client to server';
export const SERVER_TO_CLIENT_INFO = 'socketlab-v1 server to client';
export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const TAG_BYTES = 16;
export const NONCE_BYTES = 12;
/** The largest plaintext one sealed frame carries: the frame limit less the tag. */
export const MAX_PLAINTEXT_BYTES = FRAME_LIMIT - TAG_BYTES;

/** A key pair with its public half as the raw 32 bytes that travel in a hello. */
export interface KeyPair {
  privateKey: KeyObject;
  publicRaw: Buffer;
}

export interface SessionKeys {
  clientToServer: Buffer;
  serverToClient: Buffer;
}

export const rawPublicKey = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');

/**
 * The generator exports the public half itself: on Node 20, exporting a key fresh from the
 * generator afterwards can deadlock the thread (see newKeyPair() in the labs' channel.ts).
 */
function keyPair(type: 'x25519' | 'ed25519'): KeyPair {
  const generate = crypto.generateKeyPairSync as unknown as (type: string, options: object) => { privateKey: KeyObject; publicKey: { x: string } };
  const { privateKey, publicKey } = generate(type, { publicKeyEncoding: { format: 'jwk' } });
  return { privateKey, publicRaw: Buffer.from(publicKey.x, 'base64url') };
}

/** A fresh X25519 key pair for one handshake (thrown away afterwards: forward secrecy). */
export const newEphemeral = (): KeyPair => keyPair('x25519');
/** A long-term Ed25519 identity, as a server (or an impostor) has. */
export const newIdentity = (): KeyPair => keyPair('ed25519');

/**
 * A new Ed25519 identity as PKCS#8 PEM, the form a server keeps on disk. Made in that form and
 * read back, so the key fresh from the generator is never exported (see keyPair() above).
 */
export function newIdentityPem(): string {
  return crypto.generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
}

/** An identity read back from its PEM: a loaded key is safe to export (no generation job holds it). */
export function identityFromPem(pem: string): KeyPair {
  const privateKey = crypto.createPrivateKey(pem);
  return { privateKey, publicRaw: rawPublicKey(crypto.createPublicKey(privateKey)) };
}

/** The identity a server keeps in `file`: made and written there on its first start, read back after. */
export function identityKeptIn(file: string): KeyPair {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, newIdentityPem(), { mode: 0o600 });
  }
  return identityFromPem(readFileSync(file, 'utf8'));
}

function publicKeyFromRaw(raw: Buffer, crv: 'X25519' | 'Ed25519'): KeyObject {
  return crypto.createPublicKey({ key: { kty: 'OKP', crv, x: raw.toString('base64url') }, format: 'jwk' });
}

/** X25519 between our ephemeral private key and the peer's raw public key; throws on a degenerate key (all zeros). */
export function sharedSecret(own: KeyPair, peerRaw: Buffer): Buffer {
  return crypto.diffieHellman({ privateKey: own.privateKey, publicKey: publicKeyFromRaw(peerRaw, 'X25519') });
}

/** The bytes the server signs: the label, then the client's and the server's ephemeral keys. */
export function handshakeTranscript(clientKey: Buffer, serverKey: Buffer): Buffer {
  return Buffer.concat([Buffer.from(HANDSHAKE_LABEL, 'utf8'), clientKey, serverKey]);
}

export function sign(identity: KeyPair, data: Buffer): Buffer {
  return crypto.sign(null, data, identity.privateKey);
}

export function verifySignature(identityRaw: Buffer, data: Buffer, signature: Buffer): boolean {
  try {
    return crypto.verify(null, data, publicKeyFromRaw(identityRaw, 'Ed25519'), signature);
  } catch {
    return false; // not a usable Ed25519 key: no signature can be good
  }
}

/** One key per direction, from the shared secret, salted with both ephemeral keys. */
export function deriveSessionKeys(secret: Buffer, clientKey: Buffer, serverKey: Buffer): SessionKeys {
  const salt = Buffer.concat([clientKey, serverKey]);
  const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', secret, salt, info, KEY_BYTES));
  return { clientToServer: derive(CLIENT_TO_SERVER_INFO), serverToClient: derive(SERVER_TO_CLIENT_INFO) };
}

/** 4 zero bytes, then the frame's counter as an unsigned 64-bit big-endian number. */
export function nonceFor(counter: number): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeBigUInt64BE(BigInt(counter), NONCE_BYTES - 8);
  return nonce;
}

/** A sealed frame body: the AES-256-GCM ciphertext, then its 16-byte tag. */
export function seal(key: Buffer, counter: number, plaintext: Uint8Array): Buffer {
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonceFor(counter), { authTagLength: TAG_BYTES });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext of a sealed body, or undefined when it does not authenticate under this key and counter. */
export function open(key: Buffer, counter: number, body: Uint8Array): Buffer | undefined {
  if (body.length < TAG_BYTES) return undefined;
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonceFor(counter), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** "SHA256:" and the unpadded base64 of the SHA-256 of the raw identity key, as SSH shows keys. */
export function fingerprint(identityRaw: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(identityRaw).digest('base64').replace(/=+$/, '')}`;
}

/** Finds every fingerprint-shaped word in a program's output. */
export function fingerprintsIn(text: string): string[] {
  return text.match(/SHA256:[A-Za-z0-9+/]{43}/g) ?? [];
}

/** One direction of an established channel: its key and the counter of the next frame. */
export class Direction {
  counter = 0;
  constructor(readonly key: Buffer) {}

  seal(plaintext: Uint8Array): Buffer {
    return seal(this.key, this.counter++, plaintext);
  }

  /** Opens the next frame; undefined (and the counter unchanged) when it does not authenticate. */
  open(body: Uint8Array): Buffer | undefined {
    const plaintext = open(this.key, this.counter, body);
    if (plaintext) this.counter++;
    return plaintext;
  }
}

// ---- the hello messages ---------------------------------------------------------------------

export interface ClientHello {
  type: 'hello';
  version: number;
  key: string;
}

export interface ServerHello extends ClientHello {
  identity: string;
  signature: string;
}

export const clientHello = (ephemeral: KeyPair): ClientHello => ({ type: 'hello', version: CHANNEL_VERSION, key: ephemeral.publicRaw.toString('base64') });

/** What a hello carries, once checked. */
export interface ParsedHello {
  key: Buffer;
  identity?: Buffer;
  signature?: Buffer;
}

/**
 * Reads a hello (the client's, or with `server` the server's); returns a sentence saying what
 * is wrong with it instead when it is not one. Base64 fields must decode to exactly their size.
 */
export function parseHello(body: Buffer, server: boolean): ParsedHello | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const hello = value as Record<string, unknown>;
  if (hello.type !== 'hello') return `its "type" is ${JSON.stringify(hello.type) ?? 'missing'}, not "hello"`;
  if (hello.version !== CHANNEL_VERSION) return `its "version" is not ${CHANNEL_VERSION}`;
  const fields: [name: string, bytes: number][] = server ? [['key', KEY_BYTES], ['identity', KEY_BYTES], ['signature', SIGNATURE_BYTES]] : [['key', KEY_BYTES]];
  const decoded: Record<string, Buffer> = {};
  for (const [name, bytes] of fields) {
    const field = hello[name];
    if (typeof field !== 'string') return `it has no "${name}" string`;
    const raw = Buffer.from(field, 'base64');
    if (raw.length !== bytes || raw.toString('base64') !== field) return `its "${name}" is not the standard base64 of exactly ${bytes} bytes`;
    decoded[name] = raw;
  }
  return { key: decoded.key!, ...(server ? { identity: decoded.identity!, signature: decoded.signature! } : {}) };
}

/** The server's side of a handshake: its hello for the client, and the keys of the session. */
export function answerHello(clientKey: Buffer, identity: KeyPair, ephemeral: KeyPair = newEphemeral()): { hello: ServerHello; keys: SessionKeys } {
  const signature = sign(identity, handshakeTranscript(clientKey, ephemeral.publicRaw));
  return {
    hello: { ...clientHello(ephemeral), identity: identity.publicRaw.toString('base64'), signature: signature.toString('base64') },
    keys: deriveSessionKeys(sharedSecret(ephemeral, clientKey), clientKey, ephemeral.publicRaw),
  };
}

/**
 * The client's side of a handshake, once the server's hello has arrived: the session keys and
 * the identity the server proved, or a sentence saying why a client must refuse it. (The lean
 * clients of the hostile suite and the benchmarks use it; SecureClient checks each step
 * itself, to explain a learner's mistake precisely.)
 */
export function finishHello(ephemeral: KeyPair, body: Buffer): { keys: SessionKeys; identity: Buffer; serverKey: Buffer } | string {
  const hello = parseHello(body, true);
  if (typeof hello === 'string') return `the server's hello is not valid: ${hello}`;
  if (!verifySignature(hello.identity!, handshakeTranscript(ephemeral.publicRaw, hello.key), hello.signature!)) {
    return "the signature in the server's hello does not verify";
  }
  let secret: Buffer;
  try {
    secret = sharedSecret(ephemeral, hello.key);
  } catch {
    return `the "key" in the server's hello is not a usable X25519 public key`;
  }
  return { keys: deriveSessionKeys(secret, ephemeral.publicRaw, hello.key), identity: hello.identity!, serverKey: hello.key };
}
