// Every sentence the Discord bot shows to people, in one place so wording stays consistent and reviewable.
import type { ErrorCode } from '../../core/errors.ts';

/** What users read for each failure code (the text after "❌"). */
const errorText: Record<ErrorCode, string> = {
  invalid_request: 'That request cannot be made.',
  // Shown only where the requester cannot be answered privately; `text.promptBlocked` names the rule to them alone.
  prompt_blocked: 'This prompt uses a term that is blocked on this bot, so it was not sent.',
  // Shown only where the requester cannot be answered privately; `text.channelNotAllowed` lists the channels to them alone.
  channel_not_allowed: 'The image bot is not used in this channel; this server’s admins chose other channels for it.',
  quota_exceeded: 'You are out of credits for today.',
  provider_auth: 'The image service refused the bot’s credentials. An admin needs to check the API key.',
  provider_billing: 'The image service account is out of credit. An admin needs to top it up.',
  provider_rate_limited: 'The image service is busy right now. Please try again in a minute.',
  provider_rejected: 'The image service declined this prompt or image (often a content filter). Try rewording it.',
  // Shown only when the provider gave no reason; otherwise `contentRefused` words its reason.
  content_refused: 'The image service refused to make this image under its content rules.',
  provider_failed: 'The image service failed to make this image. Please try again.',
  provider_timeout: 'The image service took too long to finish this image. Please try again.',
  provider_unavailable: 'No image service could take this request right now. Please try again in a few minutes.',
  download_failed: 'The finished image could not be downloaded from the image service.',
  upload_too_large: 'The image is too large to post here, even after compressing it.',
  platform_failed: 'Discord did not accept the result. Please try again.',
  cancelled: 'The job was cancelled.',
  // Never shown in practice: a process that lost a job's lease says nothing; the new owner answers.
  lease_lost: 'Another instance of the bot took this job over.',
  // Never shown in practice either: a request refused this way is left for the next process to finish.
  stopping: 'The bot is restarting; your request will be finished when it is back.',
  internal: 'Something went wrong inside the bot.',
};

/** Codes whose error message is already written for users (validation and quota details). */
const selfExplanatory: ReadonlySet<ErrorCode> = new Set(['invalid_request', 'quota_exceeded']);

/** Whose blocked-term list a rule is on, in a few words ("this bot’s operator"); unknown when the core did not say. */
const blockedListOwner = { operator: 'set by this bot’s operator', server: 'set by this server’s admins', unknown: 'on this bot' } as const;

/** A provider's content refusal: its reason in plain words, and no invitation to repeat the same request. */
function contentRefused(reason: string): string {
  return `The image service refused this request under its content rules: ${reason} Rewording the prompt may help.`;
}

/** The user-facing explanation of an error: the message itself when it is user-ready, else the mapped text. */
export function explainError(code: ErrorCode, message: string): string {
  // A content refusal's message is the provider's reason, already worded for people (see content-refusal-error).
  if (code === 'content_refused') return message.trim() === '' ? errorText[code] : contentRefused(message);
  return selfExplanatory.has(code) ? message : errorText[code];
}

/** Plural-aware "1 credit" / "3 credits". */
export function credits(amount: number): string {
  return `${amount} credit${amount === 1 ? '' : 's'}`;
}

/** Short phrases and sentences, grouped by where they appear. */
export const text = {
  starting: '⏳ Getting things ready…',
  queued: (position: number | undefined, reason: 'user_limit' | 'provider_limit' | undefined) => {
    if (position === undefined && reason === undefined) return '⏳ Starting…';
    const place = position === undefined ? 'Queued' : `Queued — #${position} in line`;
    if (reason === 'user_limit') return `⏳ ${place} (you already have images in progress)`;
    if (reason === 'provider_limit') return `⏳ ${place} (the image service is busy)`;
    return `⏳ ${place}`;
  },
  submitted: (providerName: string) => `🎨 Sent to ${providerName}, waiting for it to start…`,
  running: (percent: number | undefined) => (percent === undefined ? '🎨 Generating…' : `🎨 Generating… ${Math.round(percent)}%`),
  elapsed: (seconds: number) => `${seconds} s`,
  referenceCount: (count: number) => `${count} reference image${count === 1 ? '' : 's'}`,
  /** After a provider's name in the settings line, when the job failed over to it. */
  insteadOf: (providerName: string) => `instead of ${providerName}`,
  rejected: (reason: string) => `❌ ${reason}\nNothing was charged.`,
  failed: (explanation: string) => `❌ ${explanation}`,
  refunded: (amount: number) => `Your ${credits(amount)} ${amount === 1 ? 'was' : 'were'} refunded.`,
  nothingCharged: 'Nothing was charged.',
  /** Seen by the requester alone (ephemeral); the rule is quoted, and replies never ping (allowed mentions are off). */
  promptBlocked: (rule: string, source: keyof typeof blockedListOwner = 'unknown') =>
    `🚫 Your prompt was not sent: it breaks the blocked term “${rule}” ${blockedListOwner[source]}. Nothing was charged.`,
  /** Seen by the requester alone; `channels` are `<#id>` mentions (they never ping), already cut to fit. */
  channelNotAllowed: (channels: string) =>
    `🚫 The image bot is not used in this channel. This server’s admins allow it in: ${channels}. Nothing was charged.`,
  /** After a list cut to fit (channels, terms, roles). */
  more: (count: number) => `and ${count} more`,
  /** Left on the public reply for a moment while the private refusal goes out; it names neither prompt nor rule. */
  refusedPrivately: '❌ This request was refused; only its author was told why. Nothing was charged.',
  internalError: '❌ Something went wrong inside the bot. Nothing was charged; please try again.',
  resultLine: (jobId: string, cost: number, remaining: string) => `Job \`${jobId}\` · ${credits(cost)} · ${remaining} left today`,
  unlimited: 'unlimited credits',
  remainingCredits: (amount: number) => credits(amount),
  deliveredBelow: '✅ Done — the image is in the reply below.',
  interrupted: (prompt: string) => `❌ The bot restarted before your request for “${prompt}” started. Nothing was charged — please try again.`,
  buttons: { reroll: 'Reroll', remix: 'Remix', upscale: '4K', retry: 'Try again', cancel: 'Cancel' },
  /** Ends a cancelled job's pending message; the mention is sent with mentions off, so it pings nobody. */
  cancelled: (userId: string, refunded: number) =>
    `🚫 Cancelled by <@${userId}> — ${refunded > 0 ? `${credits(refunded)} refunded` : 'nothing was charged'}.`,
  cancelNotAllowed: 'Only the person who asked or a server admin can cancel this.',
  cancelTooLate: 'This job has already finished, so it can no longer be cancelled.',
  cancelUnknown: 'This job is no longer stored, so there is nothing to cancel.',
  cancelFailed: '❌ Something went wrong inside the bot, so the job was not cancelled. Please try again.',
  remixModalTitle: 'Remix this image',
  remixPromptLabel: 'What should change?',
  remixPromptPlaceholder: 'e.g. the same scene at night, in watercolour',
  promptNeeded: '✏️ Reply with a prompt (text) saying what to change, and attach any extra images in the same reply.',
  noImagesToRemix: 'That message has no PNG, JPEG or WebP images to remix.',
  remixSourceGone: '❌ The image to remix is no longer available (the message was deleted or is too old). Nothing was charged.',
  jobGone: '❌ That image is too old to reuse: its job is no longer stored. Nothing was charged.',
  attachmentUntrusted: (name: string) => `❌ ${name} is not hosted on Discord, so the bot will not download it. Nothing was charged.`,
  attachmentTooLarge: (name: string, limit: string) => `❌ ${name} is larger than ${limit}, more than any image service accepts. Nothing was charged.`,
  attachmentNotImage: (name: string, declaredType: string) =>
    `❌ ${name} is not an image (Discord reports ${declaredType}): attach a PNG, JPEG or WebP. Nothing was charged.`,
  attachmentUnusable: (name: string, reason: string) => `❌ ${name} cannot be used: ${reason}. Nothing was charged.`,
  attachmentDownloadFailed: (name: string) => `❌ ${name} could not be downloaded from Discord. Please attach it again. Nothing was charged.`,
  quota: (lines: { remaining: string; reserved: number; daily: number; resetsAt: number; costs: string }) =>
    [
      `**Credits left today:** ${lines.remaining}`,
      lines.reserved > 0 ? `**Held by images in progress:** ${credits(lines.reserved)}` : undefined,
      `**Daily allowance:** ${credits(lines.daily)} · resets <t:${Math.floor(lines.resetsAt / 1000)}:R>`,
      `**Cost per image:** ${lines.costs}`,
    ].filter(Boolean).join('\n'),
  quotaUnlimited: (costs: string) => `**Credits:** unlimited (you are a bot admin)\n**Cost per image:** ${costs}`,
  adminOnly: 'Only the bot’s admins (listed in ADMIN_USER_IDS) can change credits.',
  adminGranted: (userId: string, amount: number, remaining: string) => `Gave <@${userId}> ${credits(amount)}. They now have ${remaining} left today.`,
  adminReset: (userId: string, remaining: string) => `Reset <@${userId}>’s credits. They now have ${remaining} left today.`,
  adminBalance: (userId: string, remaining: string, reserved: number) =>
    `<@${userId}> has ${remaining} left today${reserved > 0 ? ` (${credits(reserved)} held by images in progress)` : ''}.`,
  adminAmountInvalid: 'The amount must be a whole number of at least 1.',
  spendAdminOnly: 'Only the bot’s admins (listed in ADMIN_USER_IDS) can see what the images cost.',
  spendHeading: (by: string, since: string | undefined) =>
    `**Spend by ${by}**, ${since === undefined ? 'all time' : `since ${since}`} · in each provider’s own unit; `
    + 'UNKNOWN counts images with no reported cost and no PROVIDER_PRICES entry.',
  spendNone: 'No image service has accepted a job in that time.',
  spendSinceInvalid: (value: string) => `“${value}” is not a UTC day like 2026-11-01.`,
  spendCut: (rows: number) => `… and ${rows} more row${rows === 1 ? '' : 's'}: \`npm run admin -- spend\` shows them all.`,
  serverAdminOnly: 'Only members with Manage Server (or the bot’s admins, listed in ADMIN_USER_IDS) can do this. Nothing was changed.',
  blockAdded: (term: string, count: number) =>
    `🚫 Added ${term} to this server’s blocked terms (${count} in all). Prompts that use it are refused from now on.`,
  blockRemoved: (term: string, count: number) => `Removed ${term} from this server’s blocked terms (${count} left).`,
  blockNotListed: (term: string) => `${term} is not on this server’s blocked terms; \`/imagine-admin block list\` shows them as written.`,
  blockRefused: (term: string, reason: string) => `❌ ${term} was not added: ${reason}`,
  blockListEmpty: 'This server has no blocked terms of its own. The bot operator’s list (BLOCKED_TERMS) applies everywhere.',
  blockList: (count: number, terms: string) =>
    `**This server’s blocked terms** (${count}): ${terms}\n-# The bot operator’s own list (BLOCKED_TERMS) applies too; it is not shown here.`,
  moderationNone: 'Nothing has been blocked or refused in this server yet.',
  moderationHeading: (count: number) => `**Latest ${count === 1 ? 'moderation entry' : `${count} moderation entries`}** in this server (newest first)`,
  /** One moderation line; prompt and reason are already escaped and shortened, and allowedMentions stays empty. */
  moderationLine: (line: { unixSeconds: number; userId: string; channelId: string | null; prompt: string; reason: string }) =>
    `<t:${line.unixSeconds}:R> · <@${line.userId}> · ${line.channelId === null ? 'no channel' : `<#${line.channelId}>`} · “${line.prompt}” · ${line.reason}`,
  moderationBlocked: (rule: string, list: 'server' | 'operator') => `🚫 blocked by ${rule} (${list === 'server' ? 'this server’s list' : 'the operator’s list'})`,
  moderationRefused: (reason: string) => `⚠️ refused by the image service: ${reason}`,
  jobsNone: 'You have no images yet. Start one with `/imagine`.',
  jobsHeading: (count: number) => `**Your last ${count === 1 ? 'job' : `${count} jobs`}** (newest first; only you can see this)`,
  /** One `/jobs` line; the prompt is already shortened and escaped, and allowedMentions stays empty. */
  jobLine: (line: { shortId: string; state: string; unixSeconds: number; prompt: string; link: string | undefined }) =>
    `\`${line.shortId}\` · ${line.state} · <t:${line.unixSeconds}:R> · “${line.prompt}”${line.link === undefined ? '' : ` · [image](<${line.link}>)`}`,
  jobPhase: { queued: '⏳ queued', generating: '🎨 generating', delivered: '✅ delivered' },
  /** The failure code in words: "❌ failed (provider timeout)". */
  jobFailed: (code: ErrorCode) => `❌ failed (${code.replaceAll('_', ' ')})`,
  jobCancelled: '🚫 cancelled',
  unknownAction: 'This button or command is not supported by this version of the bot.',
  showUnknown: 'No job with that id was found among your jobs or this server’s (jobs are kept for a limited time). `/jobs` lists your latest ones.',
  showInProgress: 'That job has no image yet: it is still waiting or generating, and its image will appear where it was asked for.',
  showFailed: 'That job failed, so it has no image to show.',
  showCancelled: 'That job was cancelled, so it has no image to show.',
  showNotKept: 'No copy of that image was kept (this bot keeps none, or kept none yet when it was posted), so it cannot be shown again; follow its link in `/jobs`.',
  /** The caption of an image shown again; the prompt is already escaped and shortened, and allowedMentions stays empty. */
  shownAgain: (shown: { prompt: string; jobId: string; settings: string; unixSeconds: number; userId: string }) =>
    `🖼️ “${shown.prompt}”\n-# Job \`${shown.jobId}\` · ${shown.settings} · made <t:${shown.unixSeconds}:R> · shown again by <@${shown.userId}>`,
} as const;

/** `/imagine-settings`: the settings view, change descriptions and answers. Role and channel mentions in them never ping (mentions are off). */
export const settingsText = {
  heading: '**Image bot settings in this server** · *(server)* is set here, *(default)* comes from the bot’s operator; a request’s own options always win',
  labels: {
    provider: 'Default image service',
    model: 'Default model',
    aspect: 'Default aspect ratio',
    resolution: 'Default resolution',
    channels: 'Allowed channels',
    daily: 'Daily credits per member',
    roles: 'Daily credits per role',
  },
  line: (label: string, value: string, own: boolean) => `**${label}:** ${value} *(${own ? 'server' : 'default'})*`,
  providerDefault: 'the image service’s default',
  everywhere: 'everywhere',
  none: 'none',
  roleEntry: (roleId: string, amount: number) => `<@&${roleId}> ${credits(amount)}`,
  highestRoleApplies: '(a member gets the highest of their roles)',
  blockedTerms: (count: number) =>
    `**Blocked terms:** ${count === 0 ? 'none of this server’s own' : `${count} of this server’s own (\`/imagine-admin block list\`)`}, plus the operator’s list`,
  changesHeading: '**Latest changes**',
  changeLine: (unixSeconds: number, userId: string, description: string) => `<t:${unixSeconds}:R> <@${userId}> ${description}`,
  set: (label: string, value: string) => `set ${label.toLowerCase()} to ${value}`,
  cleared: (label: string) => `cleared ${label.toLowerCase()} (the default applies)`,
  roleSet: (roleId: string, amount: number) => `gave <@&${roleId}> ${credits(amount)} a day`,
  roleCleared: (roleId: string) => `cleared the daily credits of <@&${roleId}>`,
  channelAllowed: (channelId: string) => `allowed the bot in <#${channelId}>`,
  channelDisallowed: (channelId: string) => `removed <#${channelId}> from the allowed channels`,
  termBlocked: (term: string) => `blocked ${term}`,
  termUnblocked: (term: string) => `unblocked ${term}`,
  reset: 'reset every setting except the blocked terms',
  /** The answer to a change: what changed, one line each. */
  changed: (descriptions: readonly string[]) => `✅ ${descriptions.map((line) => line.charAt(0).toUpperCase() + line.slice(1)).join('.\n✅ ')}.`,
  nothingGiven: 'Nothing to change: give a value, or `clear` / `remove` to go back to the default.',
  everywhereAlready: 'The bot is already allowed in every channel.',
  everyoneRole: 'Every member holds @everyone: set `/imagine-settings credits daily:` for them instead.',
  /** `applied` changes went through before the refused one. */
  refused: (reason: string, applied: readonly string[]) =>
    `❌ ${reason}${applied.length === 0 ? ' Nothing was changed.' : `\nChanged before that: ${applied.join('; ')}.`}`,
} as const;
