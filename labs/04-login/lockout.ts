// Lab 4: limiting password guesses.
//
// After MAX_FAILED_LOGINS failed logins in a row for a name, every login for that name is
// refused for a cooling-off period (--lockout-ms), whoever asks and on whatever connection.
// Count names without an account too: otherwise "locked" would tell which names exist.
// npm run docs 4, "Limiting guesses", explains the choices.

export class Lockout {
  // TODO: keep, per name in lower case, the number of failed logins in a row and when a lock ends.

  constructor(
    private readonly maxFailures: number,
    private readonly periodMs: number,
  ) {}

  /** Whether logins for `name` are refused right now. */
  isLocked(name: string): boolean {
    // TODO: locked while the cooling-off period lasts; once it is over, forget the failures.
    return false;
  }

  /** Call before checking a password: the attempt counts as a failure until it succeeds. */
  attempt(name: string): void {
    // TODO: count this attempt for `name`.
  }

  /** The password was wrong. */
  failed(name: string): void {
    // TODO: at maxFailures, start the cooling-off period (periodMs) now.
  }

  /** The password was right: forget the failures. */
  succeeded(name: string): void {
    // TODO
  }
}
