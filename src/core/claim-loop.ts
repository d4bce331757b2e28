// When to run a claim pass: on demand (coalesced, one at a time), when another process signals work, and on a timer for expired leases.
import type { Logger } from '../log.ts';
import type { ClaimOutcome } from './job-store.ts';

export interface ClaimLoopOptions {
  /** One claim pass against the store. */
  pass(): Promise<ClaimOutcome | undefined>;
  /** Subscribes to "another process may have work for you"; returns the unsubscribe function. */
  watch(onWork: () => void): () => void;
  /** Passes at least this often, so expired leases of dead processes are found without any signal. */
  intervalMs: number;
  logger: Logger;
}

/** Runs claim passes; never two at once, and any number of requests during a pass cause one more pass. */
export interface ClaimLoop {
  /** Resolves with the outcome of a pass that started after this call. */
  request(): Promise<ClaimOutcome | undefined>;
  /** Starts watching and the timer, and runs a first pass. */
  start(): void;
  /** Stops watching and the timer; waits for a pass in progress. */
  stop(): Promise<void>;
  /** True while a pass runs or is due. */
  readonly busy: boolean;
}

/** Creates the loop; nothing runs until `start` or `request`. */
export function createClaimLoop(options: ClaimLoopOptions): ClaimLoop {
  let running: Promise<ClaimOutcome | undefined> | undefined;
  let next: Promise<ClaimOutcome | undefined> | undefined;
  let stopped = false;
  let unwatch: (() => void) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  async function runPass(): Promise<ClaimOutcome | undefined> {
    if (stopped) return undefined;
    try {
      return await options.pass();
    } catch (error) {
      options.logger.warn({ err: error }, 'claim pass failed; will retry');
      return undefined;
    }
  }

  function request(): Promise<ClaimOutcome | undefined> {
    // A pass already queued behind the running one will see everything this caller wrote.
    if (next) return next;
    const after = running ?? Promise.resolve(undefined);
    next = after.then(() => {
      next = undefined;
      const pass = runPass().finally(() => {
        if (running === pass) running = undefined;
      });
      running = pass;
      return pass;
    });
    return next;
  }

  return {
    request,
    start() {
      stopped = false;
      unwatch = options.watch(() => void request());
      timer = setInterval(() => void request(), options.intervalMs);
      timer.unref();
      void request();
    },
    async stop() {
      stopped = true;
      unwatch?.();
      if (timer) clearInterval(timer);
      await Promise.allSettled([running, next]);
    },
    get busy() {
      return running !== undefined || next !== undefined;
    },
  };
}
