// Lab 6: the messages, and the rules. Given complete: read it, do not change it.
//
// Lab 4's messages (sealed by lab 5's channel), and one more from the server: `shutdown`, the
// notice every client gets before the server closes its connection on purpose. The full
// description, with an example of each message: docs/protocol.md, "Lab 4: accounts and login"
// and "Lab 6: audit and shutdown".

// ---- what a client may send ---------------------------------------------------------------

/** "Create the account `name`, with this password." Answered by `registered` or an `error`. */
export interface RegisterRequest {
  type: 'register';
  name: string;
  password: string;
}

/** "I am `name`, here is my password: let me into the room." Answered by `welcome` or an `error`. */
export interface LoginRequest {
  type: 'login';
  name: string;
  password: string;
}

/** "Please relay this line to everyone else in the room." (As in lab 3.) */
export interface ChatRequest {
  type: 'chat';
  text: string;
}

/** "Who is here?" Answered by a `who` reply. (As in lab 3.) */
export interface WhoRequest {
  type: 'who';
}

export type ClientMessage = RegisterRequest | LoginRequest | ChatRequest | WhoRequest;

// ---- what the server sends ----------------------------------------------------------------

/** The account exists now, and is safely on disk. Registering does not log in. */
export interface Registered {
  type: 'registered';
  /** The name as it was registered. */
  name: string;
}

/**
 * Who is in the room, as a `welcome` and a `who` tell it. A frame has a size limit and a room does
 * not, so the list stops at MAX_LISTED_NAMES names (the first to have joined), and `more`, there
 * only when the list stops short, says how many others are present.
 */
export interface Roster {
  present: string[];
  more?: number;
}

/** To a client whose login succeeded: its account's name, and everyone in the room (itself included). */
export interface Welcome extends Roster {
  type: 'welcome';
  name: string;
}

/** To everyone else: someone logged in. */
export interface Joined {
  type: 'joined';
  name: string;
}

/** To everyone else: someone who had logged in is gone (whatever way they disconnected). */
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
  | 'bad-password' // a new password that breaks the password rules (register only)
  | 'name-taken' // an account with this name exists already (ignoring upper/lower case)
  | 'login-failed' // no such account, or the wrong password: the same answer for both, on purpose
  | 'locked' // too many failed logins for this name: wait for the cooling-off period to end
  | 'already-online' // the password was right, but this account is logged in on another connection
  | 'already-logged-in' // a register or login on a connection that has already logged in
  | 'not-logged-in' // chat or who before a successful login
  | 'bad-text' // chat text that breaks the text rules
  | 'server-error'; // the server could not save the account (a full disk…): nothing was created

/**
 * To every client, when the server is stopping (its operator typed `shutdown`, or pressed
 * Ctrl+C): the last message on the connection. The server closes the connection right after.
 */
export interface Shutdown {
  type: 'shutdown';
  message: string;
}

export type ServerMessage = Registered | Welcome | Joined | Left | Chat | WhoReply | ErrorReply | Shutdown;

// ---- the rules ----------------------------------------------------------------------------

/** A name has 1 to MAX_NAME_LENGTH characters, each a letter A–Z or a–z, a digit, "_" or "-". */
export const MAX_NAME_LENGTH = 20;

/** Names nobody may take, compared ignoring upper/lower case: they would impersonate the room itself. */
export const RESERVED_NAMES = ['server', 'system'];

/**
 * A new password has MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH characters (as counted by
 * `password.length`), any characters at all. The minimum makes guessing slow; the maximum
 * stops a client from making the server hash megabytes. Logins are not held to the rules
 * (an old password stays valid if the rules change), only to the maximum.
 */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/**
 * After MAX_FAILED_LOGINS failed logins in a row for one name, every login for that name is
 * refused ("locked", without even checking the password) for a cooling-off period: five
 * minutes, or what the program's --lockout-ms setting says (settings.ts). Then the count
 * starts again from zero. A successful login also resets it.
 */
export const MAX_FAILED_LOGINS = 5;

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
 * Joins and leaves are announced only in a room of at most this many members, counting the one
 * who comes or goes. Telling everyone of every arrival costs N²/2 sealed frames as a room of N
 * fills (50 million for 10,000 members, minutes of the server's time and hundreds of MB queued);
 * past this size nobody could read them anyway. A client that wants the list asks (`who`).
 */
export const MAX_ANNOUNCED_ROOM = 1000;

/**
 * The most bytes the server lets pile up for one client that is not reading
 * (`socket.writableLength`). Past it, the server disconnects that client.
 */
export const MAX_QUEUED_BYTES = 256 * 1024;
