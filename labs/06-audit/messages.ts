// Lab 6: checking what a client sends, the trust boundary. Given complete: this is lab 5's
// server code (parseMessage and the rules of labs 3 and 4), moved to a module of its own so
// that the server reads as the story of a connection, and so that it can be tested alone.

import {
  MAX_NAME_LENGTH,
  MAX_PASSWORD_LENGTH,
  MAX_TEXT_LENGTH,
  MIN_PASSWORD_LENGTH,
  RESERVED_NAMES,
  type ClientMessage,
  type ErrorCode,
} from './protocol.ts';

/** A refusal: the client broke a rule. It gets an error message and stays connected. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Turns a frame body into a ClientMessage, or refuses it. Fields we do not know are dropped. */
export function parseMessage(body: Buffer): ClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ProtocolError('bad-message', 'the frame body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad-message', 'a message must be a JSON object, like {"type":"who"}');
  }
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'register':
    case 'login':
      if (typeof message.name !== 'string' || typeof message.password !== 'string') {
        throw new ProtocolError('bad-message', `a ${message.type} message needs a "name" string and a "password" string`);
      }
      return { type: message.type, name: message.name, password: message.password };
    case 'chat':
      if (typeof message.text !== 'string') throw new ProtocolError('bad-message', 'a chat message needs a "text" string');
      return { type: 'chat', text: message.text };
    case 'who':
      return { type: 'who' };
    default:
      throw new ProtocolError('bad-message', 'the "type" must be "register", "login", "chat" or "who"');
  }
}

const NAME_CHARACTERS = /^[A-Za-z0-9_-]+$/;

/** The name rules of lab 3. (Whether the name is free is the store's business.) */
export function checkName(name: string): void {
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) {
    throw new ProtocolError('bad-name', `a name has 1 to ${MAX_NAME_LENGTH} characters`);
  }
  if (!NAME_CHARACTERS.test(name)) {
    throw new ProtocolError('bad-name', 'a name may only use the letters A-Z and a-z, the digits 0-9, "_" and "-"');
  }
  if (RESERVED_NAMES.includes(name.toLowerCase())) {
    throw new ProtocolError('bad-name', `"${name}" is reserved`);
  }
}

export function checkNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new ProtocolError('bad-password', `a password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
}

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function checkText(text: string): void {
  if (text.length < 1 || text.length > MAX_TEXT_LENGTH) {
    throw new ProtocolError('bad-text', `chat text has 1 to ${MAX_TEXT_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(text)) {
    throw new ProtocolError('bad-text', 'chat text may not contain control characters such as line breaks');
  }
}
