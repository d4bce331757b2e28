// Starts a job from Slack once its request is recorded as an intake: posts (or reuses) the status message, then stores the job;
// when the channel's budget for new messages is spent, the job starts at once and its status message follows.
import { isBotError, toBotError } from '../../core/errors.ts';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { GenerationRequest, Origin, Reference, Requester } from '../../core/request.ts';
import type { Logger } from '../../log.ts';
import { statusMessage } from './blocks.ts';
import { communityText } from './community-messages.ts';
import type { JobSettings } from './job-settings.ts';
import { slackText, type JobKind } from './messages.ts';
import { pendingMarker } from './pending-status.ts';
import { workspaceKey } from './runtime.ts';
import { slackErrorCode } from './slack-payloads.ts';
import type { SlackPacing } from './slack-pacing.ts';
import { lineFromRequest, lineFromSummary } from './status-line.ts';
import { deferredStatusExtras, type StatusMessages } from './status-messages.ts';

/** Everything needed to start one job in a Slack channel or thread. */
export interface LaunchInput {
  kind: JobKind;
  requester: Requester;
  channelId: string;
  /** Thread to work in; undefined posts the status message at channel level, where it becomes the thread. */
  threadTs: string | undefined;
  /** The user's message this job answers (thread replies, mentions). */
  replyToTs?: string;
  prompt: string;
  references: Reference[];
  settings: JobSettings;
  /** The intake's key (event, trigger or view id): the job is stored under it, so it is charged once. */
  dedupeKey: string;
  /** A status message already posted for this request (by a process that died before the job existed): reused. */
  statusTs?: string;
  /** True when the caller already passed the request through `screen` (before slow work such as downloads). */
  screened?: boolean;
}

/** Where a request is made and what it asks, as `screen` checks it. */
export interface ScreenInput {
  requester: Requester;
  channelId: string;
  threadTs: string | undefined;
  prompt: string;
}

/** How a launch ended. */
export type LaunchOutcome =
  /** `statusTs` is undefined when the status message follows later (the channel's budget was spent). */
  | { kind: 'started'; jobId: string; statusTs: string | undefined }
  | { kind: 'duplicate' }
  /** The bot is stopping: the pending message and the intake stay for the next process to finish. */
  | { kind: 'deferred' }
  /** Nothing was started or charged; `text` tells the user why (already escaped). */
  | { kind: 'refused'; text: string };

/** Starts jobs for every Slack entry point (command, replies, mentions, buttons, modal). */
export interface JobLauncher {
  /**
   * A refusal text when the request may not go ahead here (a channel the workspace does not allow, a
   * blocked term, recorded in the moderation log), undefined when it may. Called once per request,
   * before anything public is posted; `launch` calls it unless told the caller did.
   */
  screen(input: ScreenInput): Promise<string | undefined>;
  /** A refusal text when the requester cannot afford `settings` right now; checked before slow work. */
  checkCredits(requester: Requester, settings: Pick<JobSettings, 'resolution'>): Promise<string | undefined>;
  /**
   * Posts the status message (marked with the dedupe key, see `findPendingStatus`) unless `statusTs`
   * names one, then starts the job. When the channel has no budget for a new message right now, the job
   * starts without it and the message follows as soon as the budget allows (a started job never waits for
   * decoration). A status message posted here is removed again when the job is refused; a reused one is
   * left for the caller to end. The intake is the caller's to release.
   */
  launch(input: LaunchInput): Promise<LaunchOutcome>;
}

/** Slack errors meaning the bot cannot post in the channel (not invited, archived, gone). */
const cannotPostErrors = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** What the launcher works with: the core service, the paced Web API, the status messages and a logger. */
export interface JobLauncherDependencies {
  service: ImagineService;
  pacing: SlackPacing;
  statuses: StatusMessages;
  logger: Logger;
  /** The time (default `Date.now`), recorded with jobs whose status message follows later. */
  now?: () => number;
}

/** The launcher over `service` and the paced Web API. */
export function createJobLauncher(dependencies: JobLauncherDependencies): JobLauncher {
  const { service, pacing, statuses, logger } = dependencies;
  const { client } = pacing;
  const now = dependencies.now ?? Date.now;

  async function checkCredits(requester: Requester, settings: Pick<JobSettings, 'resolution'>): Promise<string | undefined> {
    const balance = await service.balance(requester);
    const cost = service.costOf({ resolution: settings.resolution });
    return !balance.unlimited && balance.remaining < cost ? slackText.notEnoughCredits(balance, cost) : undefined;
  }

  async function removeStatus(input: LaunchInput, ts: string): Promise<void> {
    const channel = input.channelId;
    await pacing
      .outcome('chat.delete', { workspace: input.requester.communityId }, () => client.chat.delete({ channel, ts }))
      .catch((error: unknown) => logger.warn({ err: error, channel, ts }, 'could not remove a status message'));
  }

  /**
   * Posts the "queued" status message when the channel's budget allows a new message now: its ts, a
   * refusal text when Slack will not take it, or `busy` when it has to wait (the job then starts without it).
   */
  async function postStatus(input: LaunchInput, draft: GenerationRequest): Promise<{ ts: string } | { refusal: string } | 'busy'> {
    const body = statusMessage(lineFromRequest(draft, input.kind, slackText.stateQueued(undefined, undefined)));
    const place = { workspace: input.requester.communityId, channel: input.channelId };
    const posting = pacing.pacer.trySend(
      pacing.call('chat.postMessage', place, () =>
        client.chat.postMessage({
          channel: input.channelId,
          text: body.text,
          blocks: body.blocks,
          unfurl_links: false,
          unfurl_media: false,
          metadata: pendingMarker(input.dedupeKey),
          ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
        }),
      ),
      'status',
    );
    if (posting === undefined) return 'busy';
    try {
      const posted = await posting;
      return { ts: posted.ts as string };
    } catch (error) {
      if (pacing.isRateLimited(error)) return 'busy';
      const code = slackErrorCode(error);
      logger.warn({ err: error, channel: input.channelId, code }, 'could not post the status message');
      return { refusal: code && cannotPostErrors.has(code) ? slackText.notInChannel : slackText.startFailed };
    }
  }

  async function screen(input: ScreenInput): Promise<string | undefined> {
    const refusal = await service.screen({
      prompt: input.prompt,
      requester: input.requester,
      origin: {
        platform: 'slack',
        ...(input.requester.communityId ? { communityId: input.requester.communityId } : {}),
        channelId: input.channelId,
        ...(input.threadTs ? { threadId: input.threadTs } : {}),
      },
    });
    if (refusal === undefined) return undefined;
    return refusal.kind === 'channel_not_allowed' ? communityText.channelNotAllowed(refusal.allowedChannels) : slackText.promptBlocked(refusal.rule, refusal.source);
  }

  /** The refusal `start` threw, in the requester's words (the same checks as `screen`, when a setting changed in between). */
  async function refusalOf(error: unknown, requester: Requester): Promise<string> {
    const failure = toBotError(error);
    if (!isBotError(error)) logger.error({ err: error }, 'starting a job failed');
    // Refusals go to the requester alone (ephemeral), so a blocked prompt may name the rule it broke.
    if (failure.code === 'prompt_blocked' && failure.blockedRule !== undefined) return slackText.promptBlocked(failure.blockedRule, failure.blockedSource);
    if (failure.code === 'channel_not_allowed' && requester.communityId) {
      const settings = await service.communitySettings(workspaceKey(requester.communityId)).catch(() => undefined);
      if (settings !== undefined) return communityText.channelNotAllowed(settings.allowedChannels);
    }
    return slackText.refusal(failure.code, failure.message);
  }

  async function launch(input: LaunchInput): Promise<LaunchOutcome> {
    // Before the status message: it would show a blocked prompt to the whole channel, if only for a moment.
    if (input.screened !== true) {
      const screened = await screen(input);
      if (screened !== undefined) return { kind: 'refused', text: screened };
    }
    const refusal = await checkCredits(input.requester, input.settings);
    if (refusal) return { kind: 'refused', text: refusal };

    const draft: GenerationRequest = {
      prompt: input.prompt,
      references: input.references,
      ...(input.settings.aspectRatio === undefined ? {} : { aspectRatio: input.settings.aspectRatio }),
      resolution: input.settings.resolution,
      outputFormat: 'png',
      provider: input.settings.provider,
      ...(input.settings.providerFromDefault === true ? { providerFromDefault: true } : {}),
      ...(input.settings.resolutionFromDefault === true ? { resolutionFromDefault: true } : {}),
      ...(input.settings.model === undefined ? {} : { model: input.settings.model }),
      requester: input.requester,
      origin: { platform: 'slack' },
    };
    let statusTs = input.statusTs;
    if (statusTs === undefined) {
      const posted = await postStatus(input, draft);
      if (posted !== 'busy' && 'refusal' in posted) return { kind: 'refused', text: posted.refusal };
      if (posted !== 'busy') statusTs = posted.ts;
    }
    /** A status message this launch posted itself (not reused, not deferred): removed again if the job is refused. */
    const postedHere = input.statusTs === undefined ? statusTs : undefined;

    const threadId = input.threadTs ?? statusTs;
    const origin: Origin = {
      platform: 'slack',
      ...(input.requester.communityId ? { communityId: input.requester.communityId } : {}),
      channelId: input.channelId,
      ...(threadId === undefined ? {} : { threadId }),
      ...(statusTs === undefined ? {} : { messageId: statusTs }),
      ...(input.replyToTs ? { replyToMessageId: input.replyToTs } : {}),
      // A status message that follows later carries the same marker, so whoever takes the job over finds it.
      extra: { kind: input.kind, ...(statusTs === undefined ? deferredStatusExtras(input.dedupeKey, now()) : {}) },
    };
    try {
      const started = await service.start({ ...draft, origin }, { dedupeKey: input.dedupeKey });
      if (started.duplicate) {
        // Another process (one that took this request over while this one was stalled) stored the job first.
        // Its status message stays; ours goes, unless that process found and reused ours.
        const existing = postedHere === undefined ? undefined : await service.getJob(started.jobId);
        if (postedHere !== undefined && existing?.origin.messageId !== postedHere) await removeStatus(input, postedHere);
        return { kind: 'duplicate' };
      }
      if (statusTs === undefined) statuses.adopt(started.jobId);
      if (statusTs === undefined || started.queuePosition !== undefined) {
        // The first post of a deferred status message, or the place in line: both from the budget left after outcomes.
        // From here on the message carries Cancel, and the settings the job really has (the workspace's defaults
        // may have filled in what the request left open). A job that starts at once gets both from its first
        // progress report instead, which comes right away: an edit here would only push that one back.
        const state = slackText.stateQueued(started.queuePosition, started.queueReason);
        const cancel = { jobId: started.jobId, label: slackText.buttons.cancel };
        statuses.show(origin, started.jobId, statusMessage(lineFromSummary(started.summary, origin, state), { cancel }));
      }
      return { kind: 'started', jobId: started.jobId, statusTs };
    } catch (error) {
      if (isBotError(error) && error.code === 'stopping') return { kind: 'deferred' };
      if (postedHere !== undefined) await removeStatus(input, postedHere);
      return { kind: 'refused', text: await refusalOf(error, input.requester) };
    }
  }

  return { screen, checkCredits, launch };
}
