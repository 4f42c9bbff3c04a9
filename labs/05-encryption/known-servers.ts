// Lab 5: the client's list of servers it knows, as SSH's known_hosts. This file is yours.
//
// A valid signature only proves that whoever holds *some* identity key made the handshake.
// A man in the middle has a key too. What makes the identity the right one is that the client
// remembers it: the first time it meets a server it writes down the server's fingerprint
// (trust on first use), and from then on it refuses any other key for that address.
//
// The file has one line per server:   127.0.0.1:8080 SHA256:uR3f…
// Blank lines and lines starting with "#" are ignored.

/** The server's key is not the one this client remembers for that address. */
export class ServerKeyChangedError extends Error {
  override name = 'ServerKeyChangedError';
}

/**
 * Checks the fingerprint a server proved it holds against the one remembered for `address`
 * ("host:port"). Returns 'known' when they match, 'new' after remembering a server met for
 * the first time; throws ServerKeyChangedError when they differ.
 */
export function checkServerKey(file: string, address: string, fingerprint: string): 'known' | 'new' {
  // TODO: read the file (no file yet: no server is known) and look for the line of `address`.
  // TODO: the same fingerprint: 'known'. Another one: throw a ServerKeyChangedError whose
  //       message warns the user clearly, with the address, the fingerprint remembered and
  //       the one received (the client prints it, and sends nothing).
  // TODO: an address met for the first time: add its line to the file (create the folder if
  //       needed) and return 'new'.
  return 'new';
}
