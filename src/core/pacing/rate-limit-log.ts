// Reports rate-limited platform calls once a minute per route with counts, instead of one log line per call.
import type { Logger } from '../../log.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { CallClass } from './rate-model.ts';

/** What happened to a call the platform refused or made wait. */
export type RateLimitHandling =
  /** A decorative edit answered 429 (or refused by the client before sending): dropped, a newer state follows. */
  | 'dropped'
  /** An outcome or status call answered 429: sent again after Retry-After. */
  | 'retried'
  /** The platform's client held a call back before sending it, because its bucket was empty (no 429 sent). */
  | 'waited';

/** One rate-limited call. */
export interface RateLimitEvent {
  /** The route or method as a template without ids or tokens (`chat.update`, `PATCH /webhooks/:id/:token/messages/@original`). */
  route: string;
  callClass: CallClass;
  handling: RateLimitHandling;
  /** How long the platform asked to wait. */
  retryAfterMs: number;
  /** True when the platform answered 429 (false for a client-side wait or refusal). */
  answered429: boolean;
}

/** Collects rate-limit events and logs them per route, at most once a minute. */
export interface RateLimitLog {
  /** Counts `event`; the first of a route is logged at once, later ones in that route's next summary. */
  record(event: RateLimitEvent): void;
  /** Logs what is still counted and stops the timers. */
  flush(): void;
}

/** Counts of one route since its last log line. */
interface RouteCounts {
  calls: number;
  answered429: number;
  byOutcome: Record<RateLimitHandling, number>;
  byClass: Record<CallClass, number>;
  longestWaitMs: number;
}

/** A summary timer must not keep a stopping process alive. */
function unref(handle: TimerHandle): TimerHandle {
  (handle as { unref?: () => void } | undefined)?.unref?.();
  return handle;
}

function emptyCounts(): RouteCounts {
  return {
    calls: 0,
    answered429: 0,
    byOutcome: { dropped: 0, retried: 0, waited: 0 },
    byClass: { outcome: 0, status: 0, decorative: 0 },
    longestWaitMs: 0,
  };
}

/** What the log needs: where to write, the time, and the summary interval (default one minute). */
export interface RateLimitLogOptions {
  logger: Logger;
  clock: Clock;
  intervalMs?: number;
}

/**
 * A rate-limit log. Per route: the first event is logged at once, and the ones after it are summed
 * into one line when the minute is over (none when nothing more happened), so a burst of refused
 * calls costs one line a minute per route however many calls it was.
 */
export function createRateLimitLog(options: RateLimitLogOptions): RateLimitLog {
  const { logger, clock } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const routes = new Map<string, { counts: RouteCounts; timer: TimerHandle }>();

  function write(route: string, counts: RouteCounts, first: boolean): void {
    logger.warn(
      {
        route,
        calls: counts.calls,
        answered429: counts.answered429,
        dropped: counts.byOutcome.dropped,
        retried: counts.byOutcome.retried,
        waited: counts.byOutcome.waited,
        outcomeCalls: counts.byClass.outcome,
        statusCalls: counts.byClass.status,
        decorativeCalls: counts.byClass.decorative,
        longestWaitMs: counts.longestWaitMs,
      },
      first ? 'rate limited by the platform (further calls on this route are summed once a minute)' : 'rate limited by the platform in the last minute',
    );
  }

  function closeWindow(route: string): void {
    const open = routes.get(route);
    if (!open) return;
    if (open.counts.calls === 0) {
      routes.delete(route);
      return;
    }
    write(route, open.counts, false);
    routes.set(route, { counts: emptyCounts(), timer: unref(clock.setTimeout(() => closeWindow(route), intervalMs)) });
  }

  return {
    record(event) {
      let open = routes.get(event.route);
      const first = open === undefined;
      if (open === undefined) {
        open = { counts: emptyCounts(), timer: unref(clock.setTimeout(() => closeWindow(event.route), intervalMs)) };
        routes.set(event.route, open);
      }
      const { counts } = open;
      counts.calls += 1;
      if (event.answered429) counts.answered429 += 1;
      counts.byOutcome[event.handling] += 1;
      counts.byClass[event.callClass] += 1;
      counts.longestWaitMs = Math.max(counts.longestWaitMs, Math.round(event.retryAfterMs));
      if (first) {
        write(event.route, counts, true);
        // What the first line already told is not counted again in the summary.
        open.counts = emptyCounts();
      }
    },
    flush() {
      for (const [route, open] of routes) {
        clock.clearTimeout(open.timer);
        if (open.counts.calls > 0) write(route, open.counts, false);
      }
      routes.clear();
    },
  };
}
