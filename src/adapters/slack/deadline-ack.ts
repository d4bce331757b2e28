// Acknowledges a Slack request once: with an answer when the work is quick, or empty just before the 3 s limit.

/**
 * Wraps Bolt's `ack` so handlers can persist the job first and still answer inside Slack's 3-second
 * window: `send()` acks now (with a payload); if nothing was sent by `deadlineMs`, an empty ack goes out.
 */
export class DeadlineAck<Payload> {
  #acked = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly ack: (payload?: Payload) => Promise<void>,
    deadlineMs: number,
  ) {
    this.#timer = setTimeout(() => void this.send().catch(() => undefined), deadlineMs);
  }

  /** True once an ack went out. */
  get acked(): boolean {
    return this.#acked;
  }

  /** Acks with `payload` unless already acked; resolves true when this call sent the ack. */
  async send(payload?: Payload): Promise<boolean> {
    if (this.#acked) return false;
    this.#acked = true;
    clearTimeout(this.#timer);
    await (payload === undefined ? this.ack() : this.ack(payload));
    return true;
  }
}
