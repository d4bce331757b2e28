// The normalized generation request every adapter produces and every provider consumes.
import { z } from 'zod';

export const providerIds = ['xenodia', 'xingchao', 'nbp-cloud', 'nbp-net', 'mock'] as const;
export type ProviderId = (typeof providerIds)[number];

export const resolutions = ['1K', '2K', '4K'] as const;
export type Resolution = (typeof resolutions)[number];

export const outputFormats = ['png', 'jpg'] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** Every aspect ratio any provider accepts; each provider/model declares its own subset. */
export const aspectRatios = [
  '1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9', 'auto',
] as const;
export type AspectRatio = (typeof aspectRatios)[number];

export const platforms = ['discord', 'slack', 'cli'] as const;
export type Platform = (typeof platforms)[number];

/** Where a reference image came from: decides how it may be fetched and how it is described. */
export const referenceSources = ['attachment', 'previous-result', 'local-file', 'url-argument'] as const;
export type ReferenceSource = (typeof referenceSources)[number];

/**
 * A reference image. Chat attachments arrive as bytes (downloaded from the platform's file host,
 * whose URLs expire); `url` is kept alongside when the platform's URL is publicly fetchable, so a
 * provider that only takes URLs can still use it. At least one of `data` and `url` is set.
 */
export const referenceSchema = z
  .object({
    /** The image bytes, when we hold them. */
    data: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'must be bytes').optional(),
    /** A URL the provider can fetch itself. */
    url: z.string().url().optional(),
    /** File name for multipart uploads and messages; never used to decide the type. */
    filename: z.string().max(200).optional(),
    source: z.enum(referenceSources),
  })
  .refine((reference) => reference.data !== undefined || reference.url !== undefined, {
    message: 'a reference needs bytes or a URL',
  });
export type Reference = z.infer<typeof referenceSchema>;

/** Who asked: platform-qualified so quotas and admin lists never mix Discord and Slack ids. */
export const requesterSchema = z.object({
  platform: z.enum(platforms),
  userId: z.string().min(1),
  displayName: z.string().optional(),
  /** Discord guild id or Slack team id; used for per-community caps. */
  communityId: z.string().optional(),
  /** Discord role ids the member holds in `communityId`: a community may give roles their own daily credits. */
  roleIds: z.array(z.string()).max(250).optional(),
});
export type Requester = z.infer<typeof requesterSchema>;

/**
 * Where the request came from and where its progress and result go. Plain serializable data, so a
 * job restored from SQLite after a restart can still be delivered.
 */
export const originSchema = z.object({
  platform: z.enum(platforms),
  /** Discord guild id / Slack team id. */
  communityId: z.string().optional(),
  /** Channel the request was made in (Discord channel or thread id, Slack channel id). */
  channelId: z.string().optional(),
  /** Slack: the thread's parent `ts`. Discord threads are channels, so this stays empty there. */
  threadId: z.string().optional(),
  /** The bot's status message for this job (Discord message id, Slack parent message `ts`). */
  messageId: z.string().optional(),
  /** The user's message this job answers (reply-to-remix, mentions). */
  replyToMessageId: z.string().optional(),
  /** Discord interaction credentials; the token is usable until `expiresAt` (ms since epoch). */
  interaction: z
    .object({
      id: z.string(),
      applicationId: z.string(),
      token: z.string(),
      expiresAt: z.number(),
    })
    .optional(),
  /** Adapter-specific extras that must survive a restart. */
  extra: z.record(z.string(), z.string()).optional(),
});
export type Origin = z.infer<typeof originSchema>;

/** The request as adapters build it; `validateRequest` checks it against a provider before use. */
export const generationRequestSchema = z.object({
  prompt: z.string(),
  references: z.array(referenceSchema).default([]),
  /**
   * Undefined means the provider's default. Any `W:H` or `auto` is accepted here; whether the
   * chosen provider and model support it is decided by `validateRequest`, which names the choices.
   */
  aspectRatio: z.string().optional(),
  resolution: z.enum(resolutions).default('1K'),
  outputFormat: z.enum(outputFormats).default('png'),
  provider: z.enum(providerIds),
  /**
   * True when the adapter filled in the bot's default provider because the user named none: only
   * such a request may fail over along PROVIDER_FALLBACKS. Unset or false: the user chose the
   * provider (a Discord option, Slack `--provider`, the CLI's `--provider`), and it never moves.
   */
  providerFromDefault: z.boolean().optional(),
  /**
   * True when the adapter filled in `resolution` because the user gave none: the community's default
   * resolution may replace it. (An unset `model` or `aspectRatio` already means "not chosen".)
   */
  resolutionFromDefault: z.boolean().optional(),
  /** Undefined means the provider's default model. */
  model: z.string().optional(),
  requester: requesterSchema,
  origin: originSchema,
});
export type GenerationRequest = z.infer<typeof generationRequestSchema>;
export type GenerationRequestInput = z.input<typeof generationRequestSchema>;
