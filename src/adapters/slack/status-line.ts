// Builds the one-line status ("<@U1> asked: a fox · 16:9 · 2K · queued") from a request or a stored job summary.
import type { JobSummary } from '../../core/delivery.ts';
import type { GenerationRequest, Origin } from '../../core/request.ts';
import { slackText, type JobKind } from './messages.ts';

const jobKinds: readonly JobKind[] = ['generate', 'reroll', 'remix', 'upscale'];

/** What started the job, as the adapter stored it in `origin.extra.kind`. */
export function kindOf(origin: Origin): JobKind {
  const kind = origin.extra?.kind;
  return jobKinds.includes(kind as JobKind) ? (kind as JobKind) : 'generate';
}

/** The Slack user id inside a platform-qualified key (`slack:U123` → `U123`). */
export function slackUserIdOf(requesterKey: string): string {
  return requesterKey.replace(/^slack:/, '');
}

/** The status line of a stored job in `state`. */
export function lineFromSummary(summary: JobSummary, origin: Origin, state: string): string {
  return slackText.statusLine({
    requesterId: slackUserIdOf(summary.requesterKey),
    kind: kindOf(origin),
    prompt: summary.prompt,
    aspectRatio: summary.aspectRatio,
    resolution: summary.resolution,
    referenceCount: summary.referenceCount,
    // Named when the user chose it or the job failed over to it; the bot's default goes without saying.
    ...(summary.failedOverFrom !== undefined || summary.providerNamed
      ? { provider: { id: summary.provider, ...(summary.failedOverFrom === undefined ? {} : { insteadOf: summary.failedOverFrom }) } }
      : {}),
    state,
  });
}

/** The status line of a request that has no job yet (the first "queued" post). */
export function lineFromRequest(request: GenerationRequest, kind: JobKind, state: string): string {
  return slackText.statusLine({
    requesterId: request.requester.userId,
    kind,
    prompt: request.prompt.trim(),
    aspectRatio: request.aspectRatio,
    resolution: request.resolution,
    referenceCount: request.references.length,
    ...(request.providerFromDefault === true ? {} : { provider: { id: request.provider } }),
    state,
  });
}
