// The moderation log entries the core writes: a prompt blocked by a term, and a provider's content refusal.
import type { BlockedTermMatch } from './blocked-terms.ts';
import type { NewModerationEvent } from './community-store.ts';
import type { JobRecord } from './job-store.ts';
import type { Origin, Requester } from './request.ts';

/** A provider refused `job`'s content for `reason` (its words, as shown to the requester). */
export function refusalEvent(job: JobRecord, reason: string, now: number): NewModerationEvent {
  return {
    kind: 'refused',
    platform: job.origin.platform,
    communityKey: job.communityKey,
    channelId: job.origin.channelId ?? null,
    requesterKey: job.requesterKey,
    prompt: job.request.prompt,
    detail: reason,
    source: job.provider,
    jobId: job.id,
    createdAt: now,
  };
}

/** `prompt` broke `broken`; nothing was made, so there is no job. */
export function blockEvent(request: { prompt: string; requester: Requester; origin: Origin }, communityKey: string | null, broken: BlockedTermMatch, now: number): NewModerationEvent {
  return {
    kind: 'blocked',
    platform: request.requester.platform,
    communityKey,
    channelId: request.origin.channelId ?? null,
    requesterKey: `${request.requester.platform}:${request.requester.userId}`,
    prompt: request.prompt,
    detail: broken.entry,
    source: broken.source,
    jobId: null,
    createdAt: now,
  };
}
