// Work that ends a delivered job's message after its image is posted (final edit, buttons), run without holding up the runner.
import type { Logger } from '../../log.ts';

/** Endings under way, so a stopping adapter can give them a moment to finish. */
export interface BackgroundEndings {
  /**
   * Runs `ending`, and resolves when it is done or after `patienceMs` (default 1 s), whichever comes
   * first: the image is already posted, and the runner's slot (memory for the image, a place among the
   * downloads) must not wait long for the platform's budget for messages; on a quiet server the ending
   * is done by then anyway. Failures are logged with `context`.
   */
  run(ending: () => Promise<void>, context: Record<string, unknown>, patienceMs?: number): Promise<void>;
  /** Waits for the endings under way, at most `timeoutMs`; returns how many were still running then. */
  drain(timeoutMs: number): Promise<number>;
}

/** Tracks endings in memory; a process killed meanwhile leaves the image posted without its ending. */
export function createBackgroundEndings(logger: Logger): BackgroundEndings {
  const running = new Set<Promise<void>>();
  return {
    async run(ending, context, patienceMs = 1000) {
      const work = ending().catch((error: unknown) => logger.warn({ ...context, err: error }, 'could not end the message of a posted result'));
      running.add(work);
      void work.finally(() => running.delete(work));
      let timer: NodeJS.Timeout | undefined;
      const patience = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, patienceMs);
      });
      await Promise.race([work, patience]);
      clearTimeout(timer);
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      try {
        await Promise.race([Promise.allSettled([...running]), timeout]);
      } finally {
        clearTimeout(timer);
      }
      return running.size;
    },
  };
}
