// The pacing math for polling one task: when to ask again, given how old it is and when it should finish.

/** Tunables of the polling schedule, in milliseconds unless named otherwise. */
export interface Pacing {
  /** Age of a task at its first poll: early failures (bad prompt, no credit) surface quickly. */
  firstPollMs: number;
  /** Interval inside the window around the expected finish, where detection lag matters. */
  denseIntervalMs: number;
  /** How far the dense window opens before the expected finish, as a fraction of it... */
  windowBeforeFraction: number;
  /** ...and how far it stays open after (wider: tasks overrun more often than they finish early)... */
  windowAfterFraction: number;
  /** ...each side bounded below so short tasks still get a window... */
  minWindowSideMs: number;
  /** ...and above so long tasks do not poll densely for minutes. */
  maxWindowSideMs: number;
  /** Before the window the next poll comes at `age × sparseGrowth` (geometric). */
  sparseGrowth: number;
  /** After the window each interval grows by about this factor. */
  backoffGrowth: number;
  /** No interval is longer than this (before jitter). */
  maxIntervalMs: number;
  /** Every interval is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
  /** Wait after the first of consecutive poll errors; doubles per further error. */
  errorBackoffBaseMs: number;
  /** Longest wait caused by consecutive poll errors. */
  errorBackoffMaxMs: number;
}

/** The schedule every provider uses unless a test or benchmark overrides it. */
export const defaultPacing: Pacing = {
  firstPollMs: 1_000,
  denseIntervalMs: 1_000,
  windowBeforeFraction: 0.1,
  windowAfterFraction: 0.2,
  minWindowSideMs: 2_000,
  maxWindowSideMs: 6_000,
  sparseGrowth: 3,
  backoffGrowth: 1.5,
  maxIntervalMs: 15_000,
  jitter: 0.1,
  errorBackoffBaseMs: 1_000,
  errorBackoffMaxMs: 30_000,
};

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** The dense window `[start, end]` (task ages in ms) around the expected finish. */
export function denseWindow(expectedFinishAgeMs: number, pacing: Pacing = defaultPacing): { start: number; end: number } {
  const side = (fraction: number) => clamp(expectedFinishAgeMs * fraction, pacing.minWindowSideMs, pacing.maxWindowSideMs);
  return {
    start: expectedFinishAgeMs - side(pacing.windowBeforeFraction),
    end: expectedFinishAgeMs + side(pacing.windowAfterFraction),
  };
}

/**
 * Milliseconds from now until the next poll of a task that is `ageMs` old and expected to finish
 * at age `expectedFinishAgeMs`, before jitter and provider hints. A function of age alone, so a
 * task resumed after a restart picks up its schedule where it would have been.
 */
export function plannedDelay(ageMs: number, expectedFinishAgeMs: number, pacing: Pacing = defaultPacing): number {
  const age = Math.max(0, ageMs);
  // Only a task that is clearly young waits for the first-poll age: one polled a jittered moment
  // short of it has had its first poll, and aiming at the same age again would creep towards it.
  if (age < pacing.firstPollMs / 2) return pacing.firstPollMs - age;
  const window = denseWindow(expectedFinishAgeMs, pacing);
  // Within one dense interval of the window counts as inside: otherwise a jittered poll landing
  // just short of the window would be followed by ever tinier steps towards it.
  if (age < window.start - pacing.denseIntervalMs) {
    const interval = clamp(age * (pacing.sparseGrowth - 1), pacing.denseIntervalMs, pacing.maxIntervalMs);
    const untilWindow = window.start - age;
    // Jump straight to the window when another sparse step would land just short of it: a poll
    // a second before the window opens costs as much as one inside it and tells us less.
    if (untilWindow <= interval * 1.5 && untilWindow <= pacing.maxIntervalMs) return untilWindow;
    return interval;
  }
  if (age < window.end) return pacing.denseIntervalMs;
  // Linear in the overrun, which makes consecutive intervals grow by about `backoffGrowth`.
  const overrun = age - window.end;
  const growth = pacing.backoffGrowth - 1;
  return clamp(pacing.denseIntervalMs * pacing.backoffGrowth + overrun * growth, pacing.denseIntervalMs, pacing.maxIntervalMs);
}

/** Wait imposed by `consecutiveErrors` failed polls in a row (0 when the last poll worked). */
export function errorBackoff(consecutiveErrors: number, pacing: Pacing = defaultPacing): number {
  if (consecutiveErrors <= 0) return 0;
  return Math.min(pacing.errorBackoffMaxMs, pacing.errorBackoffBaseMs * 2 ** (consecutiveErrors - 1));
}

/** Inputs for one pacing decision. */
export interface DelayInput {
  /** Now minus the task's `submittedAt`. */
  ageMs: number;
  /** Age at which the task should finish (expected duration, or re-anchored by a provider ETA). */
  expectedFinishAgeMs: number;
  /** Floor from the provider (`nextPollInMs`, `Retry-After`) or from error backoff. */
  minimumDelayMs: number;
  /** Caps the planned delay (not the floor): a task just resumed after a restart is polled soon. */
  maximumPlannedMs?: number;
  /** Uniform in [0, 1). */
  random: () => number;
}

/**
 * The jittered delay until the next poll. Jitter keeps thousands of tasks submitted together from
 * polling in lockstep; the floor is never undercut (a floor-bound delay is jittered upwards only).
 */
export function nextPollDelay(input: DelayInput, pacing: Pacing = defaultPacing): number {
  const planned = Math.min(
    plannedDelay(input.ageMs, input.expectedFinishAgeMs, pacing),
    input.maximumPlannedMs ?? Infinity,
  );
  const jittered = planned * (1 + pacing.jitter * (2 * input.random() - 1));
  if (jittered >= input.minimumDelayMs) return jittered;
  return input.minimumDelayMs * (1 + pacing.jitter * input.random());
}
