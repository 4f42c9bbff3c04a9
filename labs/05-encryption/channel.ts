// Lab 5: a secure channel on top of frames. This file is yours.
//
// Right after the TCP connection opens, before anything secret is said, client and server
// make a handshake (two frames of JSON), then every frame is sealed:
//
//   client                                                      server
//     | -- {"type":"hello","version":1,"key":C} ------------------> |   C: client's fresh X25519 key
//     | <-- {"type":"hello","version":1,"key":S,                    |   S: server's fresh X25519 key
//     |      "identity":I,"signature":sig} ------------------------ |   I: server's long-term Ed25519 key
//     |                                                             |   sig: I signs LABEL + C + S
//     | == sealed frames, both ways: ciphertext + 16-byte tag ===== |
//
// Both sides compute the same secret from their own private key and the other's public key
// (X25519), and expand it into one AES-256-GCM key per direction (HKDF-SHA256). Each frame's
// nonce is a counter: the receiver only accepts the next one.
// The guide explains every step: npm run docs 5. Every byte: docs/protocol.md, "Lab 5".
// Use node:crypto only: no cryptography of your own making.

import crypto, { type KeyObject } from 'node:crypto';
import { MAX_BODY_BYTES } from './framing.ts';

export const CHANNEL_VERSION = 1;
/** Signed in front of the two keys, so a signature made for this handshake means nothing anywhere else. */
export const HANDSHAKE_LABEL = 'socketlab-v1 handshake';
/** HKDF's "info": one name per key, so the two directions never share a key. */
export const CLIENT_TO_SERVER = 'socketlab-v1 client to server';
export const SERVER_TO_CLIENT = 'socketlab-v1 server to client';
export const KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** The largest plaintext one sealed frame can carry: the frame limit, less the tag. */
export const MAX_PLAINTEXT_BYTES = MAX_BODY_BYTES - TAG_BYTES;

/** The peer broke the channel (a bad hello, a frame that does not open): close the connection. */
export class ChannelError extends Error {
  override name = 'ChannelError';
}

/** The first frame a client sends. `key`: its fresh X25519 public key, 32 bytes in base64. */
export interface ClientHello {
  type: 'hello';
  version: number;
  key: string;
}

/** The server's answer: its own fresh key, its identity (Ed25519, 32 bytes) and the signature (64 bytes). */
export interface ServerHello extends ClientHello {
  identity: string;
  signature: string;
}

// ---- the established channel ----------------------------------------------------------------

/**
 * One connection's channel once the handshake is done. Each direction has its own key and
 * its own counter; both sides count the frames, so the counter never travels on the wire.
 */
export class SecureChannel {
  constructor(
    private readonly sendKey: Buffer,
    private readonly receiveKey: Buffer,
  ) {}

  /** Encrypts and authenticates one message: the body of the next frame (ciphertext, then tag). */
  seal(plaintext: Uint8Array): Buffer {
    // TODO: refuse a plaintext over MAX_PLAINTEXT_BYTES (a ChannelError), rather than cut it.
    // TODO: encrypt with AES-256-GCM, the send key, and the nonce of the next counter for
    //       sending (4 zero bytes, then the counter in 8 bytes, big-endian); the counter then
    //       moves on by one, so no nonce is ever used twice with this key.
    // TODO: return the ciphertext followed by the 16-byte tag.
    throw new ChannelError(`sealing a ${plaintext.length}-byte message is not written yet (channel.ts)`);
  }

  /** Checks and decrypts the next frame body. Throws ChannelError if it is not exactly the next frame, unaltered. */
  open(body: Uint8Array): Buffer {
    // TODO: split the body into ciphertext and 16-byte tag (shorter than a tag: a ChannelError).
    // TODO: decrypt with the receive key and the nonce of the next counter for receiving; the
    //       tag must be checked, with its full 16 bytes. A frame that does not authenticate is
    //       a ChannelError, and the counter does not move.
    throw new ChannelError(`opening a ${body.length}-byte frame is not written yet (channel.ts)`);
  }
}

// ---- keys -----------------------------------------------------------------------------------

/** A new key pair: the private key, and the public key as the 32 raw bytes of a hello. */
export function newKeyPair(type: 'x25519' | 'ed25519'): { privateKey: KeyObject; publicRaw: Buffer } {
  // The generator exports the public half itself (publicKeyEncoding). Calling rawPublicKey() on
  // a key fresh from generateKeyPairSync() looks the same, but on Node 20 it can freeze the whole
  // process, about once in a million keys: a garbage collection during that export cleans up
  // after the generator, and the clean-up waits for a lock the export holds. (Node allows one
  // half encoded and the other a KeyObject; @types/node has no overload for it, hence the cast.)
  const generate = crypto.generateKeyPairSync as unknown as (type: string, options: object) => { privateKey: KeyObject; publicKey: { x: string } };
  const { privateKey, publicKey } = generate(type, { publicKeyEncoding: { format: 'jwk' } });
  return { privateKey, publicRaw: Buffer.from(publicKey.x, 'base64url') };
}

/** A public key as the 32 raw bytes that travel in a hello. */
export function rawPublicKey(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');
}

/** The raw 32 bytes of a hello, as a key node:crypto can use. Throws on bytes that are not a key. */
export function publicKeyFromRaw(raw: Buffer, curve: 'X25519' | 'Ed25519'): KeyObject {
  return crypto.createPublicKey({ key: { kty: 'OKP', crv: curve, x: raw.toString('base64url') }, format: 'jwk' });
}

/** What the server signs: the label, the client's key, the server's key. */
function handshakeTranscript(clientKey: Buffer, serverKey: Buffer): Buffer {
  // TODO: the bytes of HANDSHAKE_LABEL (UTF-8), then the client's 32-byte key, then the server's.
  throw new ChannelError(`the handshake transcript of ${clientKey.length} + ${serverKey.length} key bytes is not written yet (channel.ts)`);
}

/** The two session keys, from our own ephemeral private key and the peer's public key. */
function sessionKeys(ownPrivate: KeyObject, peerKey: Buffer, clientKey: Buffer, serverKey: Buffer): { clientToServer: Buffer; serverToClient: Buffer } {
  // TODO: the shared secret: X25519 of our private key and the peer's key. A key X25519
  //       refuses (all zeros, for one) is a ChannelError.
  // TODO: never use the secret as a key itself: expand it with HKDF-SHA256 into two 32-byte
  //       keys, salted with the client's key followed by the server's, one with the "info"
  //       CLIENT_TO_SERVER, the other with SERVER_TO_CLIENT.
  throw new ChannelError('the session keys are not written yet (channel.ts)');
}

// ---- reading a hello: everything in it comes from the other side (given, complete) -----------

/** Decodes a base64 field that must hold exactly `bytes` bytes. */
function bytesField(hello: Record<string, unknown>, name: string, bytes: number): Buffer {
  const value = hello[name];
  const raw = typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
  if (!raw || raw.length !== bytes) throw new ChannelError(`the hello's "${name}" must be ${bytes} bytes in base64`);
  return raw;
}

function parseHello(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ChannelError('the first frame is not a hello (not JSON)');
  }
  const hello = value as Record<string, unknown> | null;
  if (typeof hello !== 'object' || hello === null || hello.type !== 'hello') throw new ChannelError('the first frame is not a hello');
  if (hello.version !== CHANNEL_VERSION) throw new ChannelError(`only version ${CHANNEL_VERSION} of the channel is spoken here`);
  return hello;
}

const encodeJson = (message: object) => Buffer.from(JSON.stringify(message), 'utf8');

// ---- the server's side ----------------------------------------------------------------------

/**
 * Answers a client's hello. Returns the server's hello (the body of the frame to send back)
 * and the channel for everything after it. `identity` is the server's long-term private key.
 */
export function answerHello(body: Buffer, identity: KeyObject): { reply: Buffer; channel: SecureChannel } {
  const clientKey = bytesField(parseHello(body), 'key', KEY_BYTES);
  // TODO: make a new X25519 key pair for this connection only (forward secrecy).
  // TODO: sign the handshake transcript (the client's key, then yours) with the identity key.
  // TODO: derive the session keys, and build the reply: a ServerHello with your key, the
  //       identity's public key and the signature, each in base64.
  // TODO: the server's channel sends with the server-to-client key and receives with the other.
  throw new ChannelError('the server side of the handshake is not written yet (channel.ts)');
}

// ---- the client's side ----------------------------------------------------------------------

/** A client's handshake: send `hello`, then give the server's answer to `finish`. */
export class ClientHandshake {
  private readonly ephemeral = newKeyPair('x25519');
  private readonly clientKey = this.ephemeral.publicRaw;
  /** The body of the first frame to send. */
  readonly hello = encodeJson({ type: 'hello', version: CHANNEL_VERSION, key: this.clientKey.toString('base64') } satisfies ClientHello);

  /**
   * Checks the server's hello and returns the channel and the server's identity key (32 raw
   * bytes). The signature proves that whoever holds that identity made *this* handshake; the
   * caller must still check that the identity is the one it expects (known-servers.ts).
   */
  finish(body: Buffer): { channel: SecureChannel; identity: Buffer } {
    const hello = parseHello(body);
    const serverKey = bytesField(hello, 'key', KEY_BYTES);
    const identity = bytesField(hello, 'identity', KEY_BYTES);
    const signature = bytesField(hello, 'signature', SIGNATURE_BYTES);
    // TODO: verify the signature over the handshake transcript (your key, then the server's)
    //       with the identity key from the hello. If it does not verify, or the identity is
    //       not a usable key, throw a ChannelError: someone may be in the middle.
    // TODO: derive the session keys; the client's channel sends with the client-to-server key.
    throw new ChannelError('the client side of the handshake is not written yet (channel.ts)');
  }
}
