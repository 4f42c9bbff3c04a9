// Lab 5's scenarios, in the order they are taught. The manifest lists them; encryption.lab.ts
// implements them; docs/05-encryption.md describes them in "What the tests do".

import type { ScenarioSpec } from '../../manifest.ts';

export const encryptionScenarios: ScenarioSpec[] = [
  {
    id: 'handshake',
    title: 'a client sends its hello; the server answers with a fresh key, its identity and a valid signature, then answers sealed requests with sealed replies',
    hint: 'The first frame is the client\'s hello. Answer with your own hello: a new X25519 key for this connection, your identity key, and the Ed25519 signature of the label and both keys. Derive one key per direction with HKDF, then seal every frame with AES-256-GCM, its nonce made from a counter that goes up by one per frame.',
  },
  {
    id: 'login-and-chat',
    title: 'two clients register, log in and chat through the secure channel, exactly as in lab 4',
    hint: 'Nothing above the channel changes: open each frame before you handle it as a lab 4 message, and seal each message you send with the keys of the client it is for. A broadcast is sealed once per member: each has its own keys and counter.',
  },
  {
    id: 'nothing-in-clear',
    title: 'your client registers, logs in and chats with your server through a relay; the harness reads every byte on the wire and finds no password and no chat text',
    hint: 'The handshake comes before anything secret: the client sends its hello, checks the server\'s answer, and only then seals the login. After the handshake, every frame in both directions must be sealed, errors and notices included.',
    timeoutMs: 15_000,
  },
  {
    id: 'tampered-frame',
    title: 'one bit flipped in a sealed chat line (in its text, or in its tag) makes the server close that connection, and nobody receives anything of it',
    hint: 'Open each frame with AES-256-GCM and check its tag: setAuthTag() before final(), and authTagLength: 16. If final() throws, the frame was altered: close the connection at once and handle nothing of it. A mode without a tag (CTR, CBC) lets an attacker change the text unseen.',
  },
  {
    id: 'replayed-frame',
    title: 'a sealed chat line sent a second time, byte for byte, is refused: the connection closes and the line is delivered only once',
    hint: 'Open each frame with the nonce of the next counter you expect, and move the counter on only when a frame opens. A frame sent again carries an old counter\'s seal, so it cannot open with the next one.',
  },
  {
    id: 'out-of-order',
    title: 'sealed frames sent in the wrong order, or after one that was left out, are refused: the connection closes and none of them is delivered',
    hint: 'The receiver does not search for a counter that works: it expects exactly the next one. A frame from later, or one after a missing frame, was sealed with another nonce, so it does not open.',
  },
  {
    id: 'cross-connection',
    title: 'a sealed frame recorded on one connection and sent on another, at the same place in the conversation, is refused there',
    hint: 'Every connection makes its own handshake with fresh X25519 keys, so its session keys are its own. Never keep keys in a variable shared by all connections, and never derive them from something that is the same every time.',
  },
  {
    id: 'mitm-impostor',
    title: 'your client meets your server through a relay and remembers its key; then a man in the middle with a key of its own is refused, with a warning, and learns nothing',
    hint: 'A valid signature only proves that the other side holds *some* identity key. Remember the fingerprint of a server the first time you meet it (known-servers.ts) and refuse any other key for that address afterwards, saying which fingerprint you expected and which you got. Send nothing when you refuse.',
    timeoutMs: 20_000,
  },
  {
    id: 'mitm-swapped-key',
    title: 'a man in the middle passes on your server\'s real identity and signature with an ephemeral key of its own; your client notices the signature does not match, and learns nothing',
    hint: 'Check the signature in the server\'s hello before you use its key: crypto.verify() with the identity key from the hello, over the label, your own key and the server\'s key. Remembering the identity is not enough if you do not check that it signed this very handshake.',
    timeoutMs: 20_000,
  },
  {
    id: 'identity-persists',
    title: 'the server prints its key\'s fingerprint at start, proves that key in every handshake, and keeps the same key after a restart',
    hint: 'Create the Ed25519 identity key on the first start and save it in the data folder (--data); on every later start, load it from there. Print its fingerprint ("SHA256:" and the base64 SHA-256 of the 32-byte public key) before the "listening on" line.',
  },
  {
    id: 'login-before-handshake',
    title: 'a client that sends its login in the clear, before any handshake, gets no answer and is disconnected',
    hint: 'Until the handshake is done, the only frame you accept is a hello. Anything else, a login above all, means the client is speaking in the clear: close the connection without answering, and never handle it.',
  },
  {
    id: 'garbage-handshake',
    title: 'clients that send garbage instead of a hello (random bytes, not JSON, a wrong or all-zero key, another version) are dropped at once, and the other clients do not notice',
    hint: 'Check every field of a hello before you use it: the type, the version, and a key that decodes to exactly 32 bytes. crypto.diffieHellman() throws on an all-zero key: catch it. Any failure closes that one connection; nothing may escape the handler and crash the server.',
  },
  {
    id: 'stalled-handshake',
    title: 'clients that connect and send nothing, or half a hello, are dropped once the handshake time is up, while the others chat undisturbed',
    hint: 'Start a timer (--handshake-timeout-ms) when a connection opens and clear it when the handshake is done. If it fires first, close the connection. Never wait for a hello in a way that holds up other clients.',
    waitsOnTimer: true,
  },
  {
    id: 'message-sizes',
    title: 'the longest chat line allowed, and a sealed frame of the largest size, are delivered intact',
    hint: 'AES-GCM encrypts any length: a sealed frame carries up to the frame limit less the 16-byte tag. Do not cut messages into RSA-sized pieces, and never drop one silently: the relayed line, with the sender\'s name added, must arrive whole.',
  },
];
