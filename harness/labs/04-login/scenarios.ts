// Lab 4's scenarios, in the order they are taught. The manifest lists them; login.lab.ts
// implements them; docs/04-login.md describes them in "What the tests do".

import type { ScenarioSpec } from '../../manifest.ts';

export const loginScenarios: ScenarioSpec[] = [
  {
    id: 'register-then-login',
    title: 'two clients each register an account, log in with it, and then chat as in lab 3',
    hint: 'register creates the account and answers "registered" (it does not log in); login checks the password and then does exactly what lab 3\'s join did: welcome, joined, and the room. Find accounts by their name in lower case, and welcome the client under the name as it was registered.',
  },
  {
    id: 'wrong-password',
    title: 'a login with the wrong password is refused, and the client can then log in with the right one',
    hint: 'Check a login by hashing the password it brings with the salt and parameters stored for that account, then compare the result with the stored hash (crypto.timingSafeEqual). A refusal is an error message, not a reason to hang up.',
  },
  {
    id: 'unknown-user',
    title: 'a login for a name nobody registered gets the same refusal as a wrong password, and does not create the account',
    hint: 'Never register a name on its first login ("first password wins"). Answer an unknown name with the very same "login-failed" message as a wrong password, so the answer does not tell which names exist.',
  },
  {
    id: 'duplicate-registration',
    title: 'a name that is registered already, in any upper/lower case, cannot be registered again, and the first password stays the right one',
    hint: 'Before creating an account, look the name up in lower case among the accounts, and also among the registrations still on their way to the disk. Refuse with "name-taken" and leave the existing account alone.',
  },
  {
    id: 'policy-violations',
    title: 'bad names, and passwords that are too short or too long, are refused with a message that explains the rules',
    hint: 'Check the name with lab 3\'s rules and the password against MIN_PASSWORD_LENGTH and MAX_PASSWORD_LENGTH (protocol.ts) before hashing anything. Say the rules in the error\'s message, and keep the connection open.',
  },
  {
    id: 'lockout',
    title: 'after 5 failed logins for a name, even the right password is refused for a while, also on a new connection; then it works again',
    hint: 'Count failed logins per name (in lower case) in one place for the whole server, not per connection. At MAX_FAILED_LOGINS, refuse every login for that name with "locked", without checking the password, until --lockout-ms have passed; then start again from zero.',
    waitsOnTimer: true,
  },
  {
    id: 'second-session',
    title: 'while an account is logged in, a second login for it on another connection is refused; once the first leaves, it works',
    hint: 'After the password is checked, look in the room: if the account is there already, refuse with "already-online" and leave the first session alone. Check the password first, so that only the account\'s owner learns it is online.',
  },
  {
    id: 'before-login',
    title: 'a client that has not logged in cannot chat or ask who is here, lab 3\'s "join" no longer works, and registering does not log in',
    hint: 'Until a login succeeds, a connection may only register or log in: answer chat and who with "not-logged-in", and treat "join" as an unknown type ("bad-message"), or anyone could enter the room without a password.',
  },
  {
    id: 'survives-restart',
    title: 'accounts are still there after the server is killed and started again, and each registration replaces users.json with a new file instead of rewriting it',
    hint: 'Load users.json when the server starts (no file yet means no accounts). To save, write the whole store to a temporary file in the same folder, flush it with filehandle.sync(), then rename it over users.json: rewriting users.json itself can be cut short by a crash.',
  },
  {
    id: 'crash-during-burst',
    title: 'the server is killed in the middle of 50 registrations; every registration it had acknowledged is still there, and users.json is complete',
    hint: 'Answer "registered" only after the new store is on disk: await the write, the sync and the rename before you reply. Save one registration at a time (a queue of writes), each from the accounts the save before it wrote.',
    timeoutMs: 15_000,
  },
  {
    id: 'corrupt-store',
    title: 'a users.json that is damaged makes the server refuse to start with a message naming the file, and the file is left untouched',
    hint: 'Only a missing file means "no accounts yet". If users.json cannot be read, is not valid JSON, or is not shaped like a store, print what is wrong (with the file\'s path) and exit with a non-zero code, before listening. Never write an empty store over it.',
  },
  {
    id: 'no-password-on-disk',
    title: 'users.json holds no password and no fast hash of one, only scrypt hashes with their own random salt and cost; nothing prints a password',
    hint: 'Store, for each account, a random salt (crypto.randomBytes), the hash crypto.scrypt made from the password and that salt, and N, r and p. Use the cost from --scrypt-n. Two people with the same password must get different salts, so different hashes. Never log a password.',
  },
  {
    id: 'hashing-in-background',
    title: 'while one client\'s password is being checked (a slow hash), the others keep chatting without waiting for it',
    hint: 'Use the asynchronous crypto.scrypt (with a callback, wrapped in a Promise), never scryptSync: it hashes in a worker thread while your event loop serves everyone else. And check a login with the N stored beside that account\'s hash, not today\'s --scrypt-n.',
    timeoutMs: 15_000,
  },
];
