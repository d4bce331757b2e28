// Remembers recently handled event and interaction ids, so a redelivered event is dropped before any work starts.

/**
 * A bounded set of keys with an age limit. SQLite's dedupe key catches redeliveries once a job is
 * stored; this catches the ones that arrive while the first delivery is still downloading files.
 */
export class RecentKeys {
  readonly #seenAt = new Map<string, number>();

  constructor(
    private readonly maxAgeMs = 60 * 60 * 1000,
    private readonly maxSize = 10_000,
  ) {}

  /** True the first time `key` is seen (within the age limit); false for repeats. */
  claim(key: string, now = Date.now()): boolean {
    this.#evict(now);
    if (this.#seenAt.has(key)) return false;
    this.#seenAt.set(key, now);
    return true;
  }

  /** Lets `key` be claimed again (the user can retry after a refusal that started nothing). */
  forget(key: string): void {
    this.#seenAt.delete(key);
  }

  #evict(now: number): void {
    for (const [key, at] of this.#seenAt) {
      if (now - at <= this.maxAgeMs && this.#seenAt.size < this.maxSize) break;
      this.#seenAt.delete(key);
    }
  }
}
