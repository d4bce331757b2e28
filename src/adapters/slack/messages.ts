// Every text a Slack user reads, in one map; user-supplied values are escaped here so they never ping.
import type { QuotaBalance } from '../../core/delivery.ts';
import type { ErrorCode } from '../../core/errors.ts';
import type { JobHistoryEntry } from '../../core/job-history.ts';
import { escapeSlackText as escape, truncate } from './escape.ts';

/** What started a job; decides the verb of its status line. */
export type JobKind = 'generate' | 'reroll' | 'remix' | 'upscale';

const verbs: Record<JobKind, string> = {
  generate: 'asked',
  reroll: 'rerolled',
  remix: 'remixed',
  upscale: 'asked for a 4K version of',
};

/** The history listing's words for the phases that are not failures, and for a cancelled job (stored as a failure). */
const jobPhases = { queued: ':hourglass: queued', generating: ':art: generating', delivered: ':white_check_mark: delivered', cancelled: ':no_entry: cancelled' } as const;

/** Failure explanations by error code; `invalid_request` and `quota_exceeded` show the error's own message instead. */
const errorTexts: Record<ErrorCode, string> = {
  invalid_request: 'The request was not valid.',
  // Normally `promptBlocked` words it with the rule; this is the fallback without one.
  prompt_blocked: "This prompt uses a term that is blocked on this bot, so it was not sent. Nothing was charged.",
  // Normally `communityText.channelNotAllowed` lists the channels; this is the fallback without them.
  channel_not_allowed: 'This workspace allows me only in some channels, and this is not one of them. Nothing was charged.',
  quota_exceeded: 'You are out of credits for today.',
  provider_auth: "The image service refused the bot's API key. Ask the bot's admin to check it.",
  provider_billing: "The image service account is out of funds. Ask the bot's admin to top it up.",
  provider_rate_limited: 'The image service is busy right now. Try again in a minute.',
  provider_rejected: 'The image service refused this prompt or image (content policy). Try rewording it.',
  // Shown only when the provider gave no reason; otherwise `contentRefused` words its reason.
  content_refused: 'The image service refused to make this image under its content rules.',
  provider_failed: 'The image service could not make this image. Try again.',
  provider_timeout: 'The image service took too long to answer. Try again.',
  provider_unavailable: 'No image service could take this request right now. Try again in a few minutes.',
  download_failed: 'The finished image could not be downloaded from the image service. Try again.',
  upload_too_large: 'The image was too large to post here.',
  platform_failed: 'The image could not be posted to Slack. Try again.',
  cancelled: 'The job was cancelled.',
  // Never shown in practice: a process that lost a job's lease says nothing; the new owner answers.
  lease_lost: 'Another instance of the bot took this job over.',
  // Never shown in practice either: a request refused this way is left for the next process to finish.
  stopping: 'The bot is restarting; your request will be finished when it is back.',
  internal: "Something went wrong on the bot's side. Try again.",
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Slack renders this in each reader's time zone. */
function slackDate(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${new Date(epochMs).toISOString()}>`;
}

/** The parts of a status line. */
export interface StatusLineInput {
  requesterId: string;
  kind: JobKind;
  prompt: string;
  aspectRatio: string | undefined;
  resolution: string;
  referenceCount: number;
  /** The provider, shown when it is not the bot's own default choice: one the user named, or the one a job failed over to. */
  provider?: { id: string; insteadOf?: string };
  state: string;
}

/** One provider as `/imagine help` lists it. */
export interface ProviderHelp {
  id: string;
  models: string[];
  isDefault: boolean;
}

/** The text map: every string a Slack user reads. */
export const slackText = {
  /** `<@U1> asked: a fox · 16:9 · 2K · queued` — the prompt escaped and shortened. */
  statusLine(input: StatusLineInput): string {
    const parts = [`<@${input.requesterId}> ${verbs[input.kind]}: ${escape(truncate(input.prompt, 600))}`];
    if (input.aspectRatio) parts.push(input.aspectRatio);
    parts.push(input.resolution);
    if (input.referenceCount > 0) parts.push(plural(input.referenceCount, 'reference image'));
    if (input.provider) parts.push(`by \`${input.provider.id}\`${input.provider.insteadOf ? ` instead of \`${input.provider.insteadOf}\`` : ''}`);
    parts.push(input.state);
    return parts.join(' · ');
  },
  stateQueued(position: number | undefined, reason: 'user_limit' | 'provider_limit' | undefined): string {
    const place = position === undefined ? '' : ` #${position} in line`;
    const why = reason === 'user_limit' ? ' (you have other images in progress)' : reason === 'provider_limit' ? ' (the image service is busy)' : '';
    return `queued${place}${why}`;
  },
  stateGenerating(percent: number | undefined): string {
    return percent === undefined ? 'generating…' : `generating… ${Math.round(percent)}%`;
  },
  stateDone(elapsedMs: number): string {
    return `done in ${Math.max(1, Math.round(elapsedMs / 1000))} s`;
  },
  stateFailed: 'failed',
  stateCancelled: 'cancelled',
  credits(cost: number, balance: QuotaBalance): string {
    if (balance.unlimited) return cost > 0 ? `${plural(cost, 'credit')} used · no credit limit` : 'no credit limit';
    return `${plural(cost, 'credit')} used · ${balance.remaining} of ${balance.dailyCredits} left today`;
  },
  refund(refunded: number): string {
    return refunded > 0 ? `Your ${plural(refunded, 'credit')} ${refunded === 1 ? 'was' : 'were'} refunded.` : 'No credits were used.';
  },
  /** What a failure means for the user; the message itself for problems the user can fix. */
  failure(code: ErrorCode, message: string): string {
    // A content refusal's message is the provider's reason, already worded for people (see content-refusal-error).
    if (code === 'content_refused' && message.trim() !== '') return this.contentRefused(message);
    return code === 'invalid_request' || code === 'quota_exceeded' ? escape(message) : errorTexts[code];
  },
  /** A provider's content refusal: its reason in plain words (escaped), and no invitation to repeat the same request. */
  contentRefused(reason: string): string {
    return `The image service refused this request under its content rules: ${escape(reason)} Rewording the prompt may help.`;
  },
  /** A prompt refused for breaking a blocked term: shown to the requester alone, the rule escaped so it never pings. */
  promptBlocked(rule: string, source: 'operator' | 'server' = 'operator'): string {
    const owner = source === 'server' ? "this workspace's admins" : "this bot's operator";
    return `:no_entry_sign: Your prompt was not sent: it breaks the blocked term "${escape(rule)}" set by ${owner}. Nothing was charged.`;
  },
  /**
   * Why a request was refused before any job existed. Download problems then come from reading the
   * user's own files, and their messages (files:read missing, a file that is not an image) are meant for people.
   */
  refusal(code: ErrorCode, message: string): string {
    return code === 'download_failed' ? escape(message) : this.failure(code, message);
  },
  /** Ends a status message whose request never became a job because the bot stopped first. */
  interrupted(prompt: string): string {
    return `The bot restarted before "${escape(truncate(prompt, 600))}" started. Nothing was charged — please try again.`;
  },
  /** Heads a pending status message that another process took over and could not finish; the reason follows. */
  notFinished(prompt: string): string {
    return `"${escape(truncate(prompt, 600))}" could not be finished after the bot restarted.`;
  },
  resultComment(requesterId: string): string {
    return `<@${requesterId}> here is your image.`;
  },
  altText(prompt: string): string {
    return truncate(prompt, 1000);
  },
  buttons: { reroll: 'Reroll', remix: 'Remix', upscale: '4K', tryAgain: 'Try again', cancel: 'Cancel' },

  help(providers: ProviderHelp[], costs: Record<string, number>): string {
    const providerLines = providers
      .map((provider) => `• \`${provider.id}\`${provider.isDefault ? ' (default)' : ''}: models ${provider.models.map((model) => `\`${model}\``).join(', ')}`)
      .join('\n');
    const costLine = Object.entries(costs).map(([tier, cost]) => `${tier} ${plural(cost, 'credit')}`).join(', ');
    return [
      '*Make an image:* `/imagine a red fox in the snow --ar 16:9 --res 2K`',
      '• `--ar` (or `--aspect`): aspect ratio such as 1:1, 3:2, 16:9, 9:16 or auto',
      `• \`--res\` (or \`--resolution\`): 1K, 2K or 4K — costs ${costLine}`,
      '• `--provider` and `--model`: which image service and model to use',
      providerLines,
      '*Change an image:* reply in its thread with what to change (attach images to mix them in), press *Remix*, or use the *Remix* shortcut on any message with images.',
      '*Use your own images:* mention me with a prompt and attach the images.',
      '`/imagine quota` shows your credits for today.',
      '`/imagine jobs` lists your last 10 images, with a link to each one posted.',
      '`/imagine show <id>` posts a finished image here again, with its buttons (the id as `/imagine jobs` shows it).',
      '`/imagine cancel <id>` (or *Cancel* on its message) stops an image still queued or generating and refunds it.',
      '*Workspace admins:* `/imagine settings` (defaults, allowed channels, daily credits), `/imagine admin block add|remove|list` and `/imagine admin moderation`.',
    ].join('\n');
  },
  jobsNone: 'You have no images yet. Make one with `/imagine a red fox in the snow`.',
  jobsHeading(count: number): string {
    return `*Your last ${count === 1 ? 'job' : `${count} jobs`}* (newest first; only you can see this)`;
  },
  /** One listing line; the prompt is escaped here so it never pings, and the failure code is put in words. */
  jobLine(entry: JobHistoryEntry, permalink: string | undefined): string {
    const state =
      entry.phase !== 'failed' ? jobPhases[entry.phase]
      : entry.failureCode === 'cancelled' ? jobPhases.cancelled
      : `:x: failed (${(entry.failureCode ?? 'internal').replaceAll('_', ' ')})`;
    const seconds = Math.floor(entry.createdAt / 1000);
    const when = `<!date^${seconds}^{date_short_pretty} {time}|${new Date(entry.createdAt).toISOString()}>`;
    const prompt = escape(truncate(entry.prompt.replace(/\s+/g, ' ').trim(), 80));
    return `\`${entry.shortId}\` · ${state} · ${when} · "${prompt}"${permalink === undefined ? '' : ` · <${escape(permalink)}|image>`}`;
  },
  quota(balance: QuotaBalance): string {
    if (balance.unlimited) return 'You have no credit limit (admin).';
    const held = balance.reserved > 0 ? ` (${plural(balance.reserved, 'credit')} held by images in progress)` : '';
    return `You have *${balance.remaining}* of ${balance.dailyCredits} credits left today${held}. Credits reset ${slackDate(balance.resetsAt)}.`;
  },
  notEnoughCredits(balance: QuotaBalance, cost: number): string {
    return `This image costs ${plural(cost, 'credit')} and you have ${balance.remaining} left today. Credits reset ${slackDate(balance.resetsAt)}.`;
  },

  emptyPrompt: 'Add a prompt: `/imagine a red fox in the snow --ar 16:9`',
  mentionNeedsPrompt: 'Tell me what to make after the mention, for example "@Nano Imagine turn this into a watercolor" with your images attached.',
  replyNeedsPrompt: 'Add some text to your reply saying what to change, for example "make it night time".',
  noResultInThread: 'There is no finished image in this thread yet. Wait for it to finish, or start a new one with `/imagine`.',
  jobGone: 'That image is no longer available (it may be older than the retention period). Start a new one with `/imagine`.',
  previousResultGone: 'The earlier image could not be fetched from Slack any more (was it deleted?). Start a new one with `/imagine`.',
  notInChannel: "I can't post in this channel yet. Invite me first (`/invite` followed by my name), then try again.",
  missingFilesRead:
    'Slack answered a login page instead of the image: this app lacks the `files:read` scope. ' +
    'A workspace admin needs to add `files:read` under OAuth & Permissions (it is in commands/slack-manifest.yml) and reinstall the app.',
  // The next four become BotError messages, which are escaped once when shown.
  notAnImage(name: string, description: string): string {
    return `"${name}" is ${description}, not an image: attach PNG, JPEG or WebP files.`;
  },
  untrustedFile(name: string): string {
    return `"${name}" is not stored on Slack's file host, so I won't download it.`;
  },
  fileDownloadFailed(name: string, reason: string): string {
    return `"${name}" could not be downloaded (${reason}). Try again.`;
  },
  shortcutNoImages: 'That message has no PNG, JPEG or WebP images. Use *Remix* on a message with images, or attach images when you mention me.',
  startFailed: 'Something went wrong while starting your image. Try again.',
  /** Only the requester sees it, in the acknowledgement of an /imagine whose status message waits for the channel's budget. */
  statusFollows: 'Your image is on its way. This channel is busy right now, so it can take a moment before it shows up here.',

  modal: {
    title: 'Remix',
    submit: 'Remix',
    close: 'Cancel',
    promptLabel: 'What should the new image show?',
    promptPlaceholder: 'make it night time, add falling snow',
    filesLabel: 'More images (optional)',
    filesHint: 'PNG, JPEG or WebP. They are sent along with the images above.',
    fromResult: 'Starting from the earlier result.',
    fromMessage(count: number): string {
      return `Using ${plural(count, 'image')} from the message.`;
    },
    emptyPrompt: 'Describe the image you want.',
  },

  admin: {
    adminOnly: "Only the bot's admins (listed in ADMIN_USER_IDS) can use `/imagine admin spend`.",
    usage:
      'Use `/imagine admin spend [--since 2026-11-01] [--by provider|day|user|server]` (the bot’s operators), ' +
      '`/imagine admin block add|remove|list` or `/imagine admin moderation` (workspace admins).',
    invalid(problem: string): string {
      return `${escape(problem)} Use \`/imagine admin spend [--since 2026-11-01] [--by provider|day|user|server]\`.`;
    },
    spendHeading(by: string, since: string | undefined): string {
      const period = since === undefined ? 'all time' : `since ${escape(since)}`;
      return `*Spend by ${by}*, ${period} · in each provider's own unit; UNKNOWN counts images with no reported cost and no PROVIDER_PRICES entry.`;
    },
    spendNone: 'No image service has accepted a job in that time.',
    spendCut(rows: number): string {
      return `… and ${plural(rows, 'more row')}: \`npm run admin -- spend\` shows them all.`;
    },
  },

  flags: {
    unknown(flag: string): string {
      return `Unknown option \`${escape(flag)}\`. Use \`--ar\`, \`--res\`, \`--provider\` or \`--model\` (see \`/imagine help\`).`;
    },
    missingValue(flag: string, example: string): string {
      return `\`${escape(flag)}\` needs a value, like \`${example}\`.`;
    },
    repeated(flag: string): string {
      return `\`${escape(flag)}\` is given more than once; keep one.`;
    },
    badAspect(value: string, choices: readonly string[]): string {
      return `\`--ar ${escape(value)}\` is not an aspect ratio; use one of: ${choices.join(', ')}.`;
    },
    badResolution(value: string): string {
      return `\`--res ${escape(value)}\` is not a resolution; use 1K, 2K or 4K.`;
    },
    unknownProvider(value: string, choices: string[]): string {
      return `There is no provider \`${escape(value)}\` on this bot; choose one of: ${choices.join(', ')}.`;
    },
    unknownModel(provider: string, value: string, choices: string[]): string {
      return `\`${provider}\` has no model \`${escape(value)}\`; choose one of: ${choices.join(', ')}.`;
    },
    unsupportedAspect(model: string, value: string, choices: readonly string[]): string {
      return `\`${model}\` does not do aspect ratio ${escape(value)}; choose one of: ${choices.join(', ')}.`;
    },
    unsupportedResolution(model: string, value: string, choices: readonly string[]): string {
      return `\`${model}\` cannot make ${value} images; choose one of: ${choices.join(', ')}.`;
    },
  },
} as const;
