// Slack's published rate limits for the Web API methods the bot paces, and the bucket keys a call spends.
import type { TokenBucketFigures } from '../../core/pacing/token-bucket-model.ts';

/** The Web API methods whose calls go through the pacer. */
export type PacedMethod =
  | 'chat.postMessage'
  | 'chat.update'
  | 'chat.delete'
  | 'files.getUploadURLExternal'
  | 'files.completeUploadExternal'
  | 'files.info'
  | 'conversations.history'
  | 'conversations.replies';

/** One limit of a method: per workspace (Slack's tiers) or per channel (`chat.postMessage`). */
export interface SlackLimitFigures extends TokenBucketFigures {
  scope: 'workspace' | 'channel';
}

/** Tier 3 ("50+ per minute, sporadic bursts welcome") and Tier 4 ("100+ per minute, generous bursts"). */
const tier3: SlackLimitFigures = { scope: 'workspace', perMinute: 50, burst: 50 };
const tier4: SlackLimitFigures = { scope: 'workspace', perMinute: 100, burst: 100 };

/**
 * Slack's published floors, per method, per workspace, per app (docs.slack.dev "Rate limits"). Slack
 * reports no remaining counts, so these are assumed, and lowered by the models whenever a 429 says
 * otherwise. `chat.postMessage`: about one message a second per channel with short bursts (Slack gives no
 * size; bots report about 30 messages in the first 5 s), and several hundred a minute per workspace.
 */
export const slackRateFigures: Readonly<Record<PacedMethod, readonly SlackLimitFigures[]>> = {
  'chat.postMessage': [
    { scope: 'channel', perMinute: 60, burst: 30 },
    { scope: 'workspace', perMinute: 300, burst: 300 },
  ],
  'chat.update': [tier3],
  'chat.delete': [tier3],
  'files.getUploadURLExternal': [tier4],
  'files.completeUploadExternal': [tier4],
  'files.info': [tier4],
  'conversations.history': [tier3],
  'conversations.replies': [tier3],
};

/** Where a call goes: the workspace (team id) and, for channel-scoped limits, the channel. */
export interface CallPlace {
  workspace: string | undefined;
  channel?: string | undefined;
}

const separator = '|';

/** The bucket keys one call of `method` at `place` spends: `chat.postMessage|channel|C1`, `chat.postMessage|workspace|T1`. */
export function slackBuckets(method: PacedMethod, place: CallPlace): string[] {
  return slackRateFigures[method].map((figures) =>
    [method, figures.scope, figures.scope === 'channel' ? (place.channel ?? '') : (place.workspace ?? '')].join(separator),
  );
}

/** The figures of a bucket key made by `slackBuckets`. */
export function figuresOfBucket(bucket: string): SlackLimitFigures {
  const [method, scope] = bucket.split(separator);
  const figures = slackRateFigures[method as PacedMethod]?.find((candidate) => candidate.scope === scope);
  if (figures === undefined) throw new Error(`no Slack rate figures for bucket ${bucket}`);
  return figures;
}
