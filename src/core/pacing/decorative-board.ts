// The queue of unsent decorative updates: one per message (newest state wins), dropped when stale, taken in round-robin order.

/** A queued update of one message. */
export interface BoardEntry<Update> {
  /** The message it updates (one entry per message). */
  key: string;
  update: Update;
  /** Kept until sent (a first post) rather than dropped when stale. */
  essential: boolean;
  /** When this state was offered. */
  offeredAt: number;
}

/** Messages whose last update time is remembered at most. */
const rememberedMessages = 20_000;

/** Why an entry left the board without being sent. */
export type DropReason = 'superseded' | 'stale' | 'settled';

/**
 * Holds the newest unsent state of each message. `ordered` gives the round-robin order: first posts
 * first (oldest first, a user who has seen nothing yet waits longest), then the messages updated least
 * recently, so with many messages each is edited less often rather than some never.
 */
export class DecorativeBoard<Update> {
  readonly #entries = new Map<string, BoardEntry<Update>>();
  /** When each message was last updated, for the round-robin order and the least interval between edits. */
  readonly #lastSentAt = new Map<string, number>();
  /** Messages that have their outcome: nothing more is queued for them (a late state must not overwrite it). */
  readonly #ended = new Set<string>();
  readonly #onDrop: (entry: BoardEntry<Update>, reason: DropReason) => void;

  constructor(onDrop: (entry: BoardEntry<Update>, reason: DropReason) => void = () => undefined) {
    this.#onDrop = onDrop;
  }

  /** Messages with a state waiting. */
  get size(): number {
    return this.#entries.size;
  }

  /** Queues `update` as the newest state of `key`; an unsent older one is dropped (coalescing). Ignored once `key` ended. */
  offer(key: string, update: Update, essential: boolean, now: number): void {
    if (this.#ended.has(key)) return;
    const previous = this.#entries.get(key);
    if (previous) this.#onDrop(previous, 'superseded');
    this.#entries.set(key, { key, update, essential, offeredAt: now });
  }

  /** Removes and returns the entry of `key` (it is being sent). */
  take(key: string): BoardEntry<Update> | undefined {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    return entry;
  }

  /** Puts an entry back after a failed send, unless a newer state arrived meanwhile. */
  restore(entry: BoardEntry<Update>): void {
    if (!this.#entries.has(entry.key) && !this.#ended.has(entry.key)) this.#entries.set(entry.key, entry);
  }

  /** Drops the unsent state of `key` (its outcome is being shown). */
  drop(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#onDrop(entry, 'settled');
  }

  /** Records that `key` was updated at `now`. */
  markSent(key: string, now: number): void {
    this.#lastSentAt.delete(key);
    this.#lastSentAt.set(key, now);
    // Messages whose outcome another process showed are never forgotten here: keep the memory bounded.
    if (this.#lastSentAt.size > rememberedMessages) this.#lastSentAt.delete(this.#lastSentAt.keys().next().value as string);
  }

  /** When `key` was last updated, undefined when never (by this process). */
  lastSentAt(key: string): number | undefined {
    return this.#lastSentAt.get(key);
  }

  /** Forgets `key` entirely: its message has its outcome, and later states of it are ignored. */
  forget(key: string): void {
    this.drop(key);
    this.#lastSentAt.delete(key);
    this.#ended.add(key);
    if (this.#ended.size > rememberedMessages) this.#ended.delete(this.#ended.values().next().value as string);
  }

  /** Drops non-essential states offered before `now - staleAfterMs`: sent that late they would mislead. */
  dropStale(now: number, staleAfterMs: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.essential || now - entry.offeredAt <= staleAfterMs) continue;
      this.#entries.delete(key);
      this.#onDrop(entry, 'stale');
    }
  }

  /** Waiting entries in the order to try them (see the class comment). */
  ordered(): Array<BoardEntry<Update>> {
    const never = Number.NEGATIVE_INFINITY;
    return [...this.#entries.values()].sort((left, right) => {
      if (left.essential !== right.essential) return left.essential ? -1 : 1;
      if (left.essential) return left.offeredAt - right.offeredAt;
      const byLastSent = (this.#lastSentAt.get(left.key) ?? never) - (this.#lastSentAt.get(right.key) ?? never);
      return byLastSent !== 0 && !Number.isNaN(byLastSent) ? byLastSent : left.offeredAt - right.offeredAt;
    });
  }
}
