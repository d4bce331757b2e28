// Every sentence the Discord bot shows to people, in one place so wording stays consistent and reviewable.
import type { ErrorCode } from '../../core/errors.ts';

/** What users read for each failure code (the text after "❌"). */
const errorText: Record<ErrorCode, string> = {
  invalid_request: 'That request cannot be made.',
  // Shown only where the requester cannot be answered privately; `text.promptBlocked` names the rule to them alone.
  prompt_blocked: 'This prompt uses a term that is blocked on this bot, so it was not sent.',
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
  promptBlocked: (rule: string) =>
    `🚫 Your prompt was not sent: it breaks the blocked term “${rule}” set by this bot’s operator. Nothing was charged.`,
  /** Left on the public reply for a moment while the private refusal goes out; it names neither prompt nor rule. */
  refusedPrivately: '❌ This request was refused; only its author was told why. Nothing was charged.',
  internalError: '❌ Something went wrong inside the bot. Nothing was charged; please try again.',
  resultLine: (jobId: string, cost: number, remaining: string) => `Job \`${jobId}\` · ${credits(cost)} · ${remaining} left today`,
  unlimited: 'unlimited credits',
  remainingCredits: (amount: number) => credits(amount),
  deliveredBelow: '✅ Done — the image is in the reply below.',
  interrupted: (prompt: string) => `❌ The bot restarted before your request for “${prompt}” started. Nothing was charged — please try again.`,
  buttons: { reroll: 'Reroll', remix: 'Remix', upscale: '4K', retry: 'Try again' },
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
  jobsNone: 'You have no images yet. Start one with `/imagine`.',
  jobsHeading: (count: number) => `**Your last ${count === 1 ? 'job' : `${count} jobs`}** (newest first; only you can see this)`,
  /** One `/jobs` line; the prompt is already shortened and escaped, and allowedMentions stays empty. */
  jobLine: (line: { shortId: string; state: string; unixSeconds: number; prompt: string; link: string | undefined }) =>
    `\`${line.shortId}\` · ${line.state} · <t:${line.unixSeconds}:R> · “${line.prompt}”${line.link === undefined ? '' : ` · [image](<${line.link}>)`}`,
  jobPhase: { queued: '⏳ queued', generating: '🎨 generating', delivered: '✅ delivered' },
  /** The failure code in words: "❌ failed (provider timeout)". */
  jobFailed: (code: ErrorCode) => `❌ failed (${code.replaceAll('_', ' ')})`,
  unknownAction: 'This button or command is not supported by this version of the bot.',
} as const;
