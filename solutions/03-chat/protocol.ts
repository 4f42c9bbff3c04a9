// Lab 3: the chat messages, and the room's limits. Given complete: read it, do not change it.
//
// Every message is a JSON object inside one frame (lab 2). Its "type" says what it is.
// The full description, with an example of each message: docs/protocol.md, "Lab 3".

// ---- what a client may send ---------------------------------------------------------------

/** "I would like to be called `name`." Answered by a `welcome` or an `error`. */
export interface JoinRequest {
  type: 'join';
  name: string;
}

/** "Please relay this line to everyone else in the room." */
export interface ChatRequest {
  type: 'chat';
  text: string;
}

/** "Who is here?" Answered by a `who` reply. */
export interface WhoRequest {
  type: 'who';
}

export type ClientMessage = JoinRequest | ChatRequest | WhoRequest;

// ---- what the server sends ----------------------------------------------------------------

/**
 * Who is in the room, as a `welcome` and a `who` tell it. A frame has a size limit and a room does
 * not, so the list stops at MAX_LISTED_NAMES names (the first to have joined), and `more`, there
 * only when the list stops short, says how many others are present.
 */
export interface Roster {
  present: string[];
  more?: number;
}

/** To a client whose join succeeded: its name, and everyone in the room (itself included). */
export interface Welcome extends Roster {
  type: 'welcome';
  name: string;
}

/** To everyone else: someone joined. */
export interface Joined {
  type: 'joined';
  name: string;
}

/** To everyone else: someone who had joined is gone (whatever way they disconnected). */
export interface Left {
  type: 'left';
  name: string;
}

/** A chat line, relayed to everyone except its sender. `from` is always set by the server. */
export interface Chat {
  type: 'chat';
  from: string;
  text: string;
}

/** The answer to a `who` request: everyone in the room, the asker included. */
export interface WhoReply extends Roster {
  type: 'who';
}

/** Why the server refused a message: a code a program can test, a sentence a person can read. */
export interface ErrorReply {
  type: 'error';
  code: ErrorCode;
  message: string;
}

export type ErrorCode =
  | 'bad-frame' // the frame itself is invalid (too large): the server closes the connection after this
  | 'bad-message' // not JSON, not an object, an unknown type, or a field missing or of the wrong type
  | 'bad-name' // a name that breaks the name rules
  | 'name-taken' // someone in the room already has this name (ignoring upper/lower case)
  | 'already-joined' // a second join on the same connection
  | 'not-joined' // chat or who before a successful join
  | 'bad-text'; // chat text that breaks the text rules

export type ServerMessage = Welcome | Joined | Left | Chat | WhoReply | ErrorReply;

// ---- the rules ----------------------------------------------------------------------------

/** A name has 1 to MAX_NAME_LENGTH characters, each a letter A–Z or a–z, a digit, "_" or "-". */
export const MAX_NAME_LENGTH = 20;

/** Names nobody may take, compared ignoring upper/lower case: they would impersonate the room itself. */
export const RESERVED_NAMES = ['server', 'system'];

/**
 * Chat text has 1 to MAX_TEXT_LENGTH characters (as counted by `text.length`) and no control
 * characters: none of U+0000–U+001F (this includes "\n", "\r" and "\t"), U+007F–U+009F,
 * U+2028 (line separator) or U+2029 (paragraph separator).
 */
export const MAX_TEXT_LENGTH = 1000;

/**
 * The most names a `welcome` or a `who` lists. A thousand names of MAX_NAME_LENGTH characters
 * take about 23 KB, well inside a frame; every name of a big room would not fit.
 */
export const MAX_LISTED_NAMES = 1000;

/**
 * The most bytes the server lets pile up for one client that is not reading
 * (`socket.writableLength`). Past it, the server disconnects that client.
 */
export const MAX_QUEUED_BYTES = 256 * 1024;
