// Lab 5 (reference solution): a secure channel on top of frames.
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
// nonce is a counter: the receiver only accepts the next one, so a frame that is replayed,
// reordered, dropped, altered or taken from another connection never opens.
// Every byte format is in docs/protocol.md, "Lab 5: the secure channel".

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

/** Nonce for frame number `counter`: 4 zero bytes, then the counter (8 bytes, big-endian). */
function nonceFor(counter: bigint): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeBigUInt64BE(counter, NONCE_BYTES - 8);
  return nonce;
}

/**
 * One connection's channel once the handshake is done. Each direction has its own key and
 * its own counter; both sides count the frames, so the counter never travels on the wire.
 */
export class SecureChannel {
  private sent = 0n;
  private received = 0n;

  constructor(
    private readonly sendKey: Buffer,
    private readonly receiveKey: Buffer,
  ) {}

  /** Encrypts and authenticates one message: the body of the next frame (ciphertext, then tag). */
  seal(plaintext: Uint8Array): Buffer {
    if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new ChannelError(`a message of ${plaintext.length} bytes is over the limit of ${MAX_PLAINTEXT_BYTES}`);
    // A (key, nonce) pair must never be used twice: the counter moves on with every frame.
    const cipher = crypto.createCipheriv('aes-256-gcm', this.sendKey, nonceFor(this.sent++), { authTagLength: TAG_BYTES });
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }

  /** Checks and decrypts the next frame body. Throws ChannelError if it is not exactly the next frame, unaltered. */
  open(body: Uint8Array): Buffer {
    if (body.length < TAG_BYTES) throw new ChannelError('a sealed frame is shorter than its tag');
    // authTagLength: without it, Node would accept a tag cut down to 4 bytes (easy to forge).
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.receiveKey, nonceFor(this.received), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const plaintext = decipher.update(body.subarray(0, body.length - TAG_BYTES));
    try {
      decipher.final(); // checks the tag: throws if one bit of the frame, or the nonce, is wrong
    } catch {
      throw new ChannelError('a frame did not authenticate (altered, replayed, reordered, or from another connection)');
    }
    this.received++;
    return plaintext;
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
  return Buffer.concat([Buffer.from(HANDSHAKE_LABEL, 'utf8'), clientKey, serverKey]);
}

/**
 * The two session keys, from our own ephemeral private key and the peer's public key. The raw
 * X25519 output is not a good AES key by itself: HKDF turns it into uniformly random keys,
 * salted with both public keys, one per direction.
 */
function sessionKeys(ownPrivate: KeyObject, peerKey: Buffer, clientKey: Buffer, serverKey: Buffer): { clientToServer: Buffer; serverToClient: Buffer } {
  let secret: Buffer;
  try {
    secret = crypto.diffieHellman({ privateKey: ownPrivate, publicKey: publicKeyFromRaw(peerKey, 'X25519') });
  } catch {
    throw new ChannelError('the peer sent an unusable key'); // an all-zero key, for example
  }
  const salt = Buffer.concat([clientKey, serverKey]);
  const derive = (info: string) => Buffer.from(crypto.hkdfSync('sha256', secret, salt, info, KEY_BYTES));
  return { clientToServer: derive(CLIENT_TO_SERVER), serverToClient: derive(SERVER_TO_CLIENT) };
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
  // A fresh key pair for every connection: once it is thrown away, nobody (not even us with
  // the identity key) can recompute this session's keys. That is forward secrecy.
  const ephemeral = newKeyPair('x25519');
  const serverKey = ephemeral.publicRaw;
  const keys = sessionKeys(ephemeral.privateKey, clientKey, clientKey, serverKey);
  const signature = crypto.sign(null, handshakeTranscript(clientKey, serverKey), identity);
  const reply: ServerHello = {
    type: 'hello',
    version: CHANNEL_VERSION,
    key: serverKey.toString('base64'),
    identity: rawPublicKey(crypto.createPublicKey(identity)).toString('base64'),
    signature: signature.toString('base64'),
  };
  return { reply: encodeJson(reply), channel: new SecureChannel(keys.serverToClient, keys.clientToServer) };
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
    let genuine = false;
    try {
      genuine = crypto.verify(null, handshakeTranscript(this.clientKey, serverKey), publicKeyFromRaw(identity, 'Ed25519'), signature);
    } catch {
      genuine = false; // not a usable Ed25519 key: no signature from it can be good
    }
    if (!genuine) throw new ChannelError("the server's signature does not match this handshake: someone may be in the middle");
    const keys = sessionKeys(this.ephemeral.privateKey, serverKey, this.clientKey, serverKey);
    return { channel: new SecureChannel(keys.clientToServer, keys.serverToClient), identity };
  }
}
