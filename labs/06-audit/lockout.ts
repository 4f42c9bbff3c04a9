// Lab 4 (reference solution): limiting password guesses.
//
// An attacker who can try passwords as fast as the server answers will find a weak one. So
// after MAX_FAILED_LOGINS failed logins in a row for a name, every login for that name is
// refused for a cooling-off period, whoever asks and on whatever connection: the count belongs
// to the name, not to the connection (reconnecting must not start it again).
//
// Names without an account are counted too: if only real accounts could be locked, "locked"
// would tell an attacker which names exist. The counts live in memory, so a restart clears them.

export class Lockout {
  private readonly names = new Map<string, { failures: number; lockedUntil?: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly periodMs: number,
  ) {}

  /** Whether logins for `name` are refused right now. */
  isLocked(name: string): boolean {
    const key = name.toLowerCase();
    const entry = this.names.get(key);
    if (!entry) return false;
    if (entry.lockedUntil !== undefined && Date.now() >= entry.lockedUntil) {
      this.names.delete(key); // the period is over: a clean slate
      return false;
    }
    return entry.failures >= this.maxFailures;
  }

  /**
   * Call before checking a password: the attempt counts as a failure until it succeeds. A check
   * takes time (scrypt), and attempts counted only once they failed would let an attacker
   * send a hundred guesses at once, all checked before the first failure was counted.
   */
  attempt(name: string): void {
    const key = name.toLowerCase();
    const entry = this.names.get(key) ?? { failures: 0 };
    entry.failures++;
    this.names.set(key, entry);
  }

  /** The password was wrong: after too many, the cooling-off period starts now. */
  failed(name: string): void {
    const entry = this.names.get(name.toLowerCase());
    if (entry && entry.failures >= this.maxFailures && entry.lockedUntil === undefined) entry.lockedUntil = Date.now() + this.periodMs;
  }

  /** The password was right: forget the failures. */
  succeeded(name: string): void {
    this.names.delete(name.toLowerCase());
  }
}
