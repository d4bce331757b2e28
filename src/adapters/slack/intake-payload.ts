// What a Slack intake records to finish its request in any process: the request as it arrived (versioned JSON, files by id/URL).
import { z } from 'zod';
import { providerIds, requesterSchema, resolutions } from '../../core/request.ts';
import type { JobSettings } from './job-settings.ts';
import type { SlackFile } from './slack-payloads.ts';

/** Bumped when a kind changes shape; an intake of another version is ended with an apology instead of misread. */
export const intakePayloadVersion = 1;

/** A file as recorded: its id (files.info finds it again) and the private download URL Slack gave. */
const fileSchema = z.object({
  id: z.string(),
  name: z.string(),
  mimetype: z.string().optional(),
  urlPrivateDownload: z.string().optional(),
});

/** The settings `/imagine` resolved from its options (provider, model, aspect ratio, resolution). */
const settingsSchema = z.object({
  provider: z.enum(providerIds),
  /** True when the bot chose the provider (no `--provider`): the job may fail over. */
  providerFromDefault: z.boolean().optional(),
  model: z.string().optional(),
  aspectRatio: z.string().optional(),
  resolution: z.enum(resolutions),
  /** True when no `--res` was given: the workspace's default resolution may replace `resolution`. */
  resolutionFromDefault: z.boolean().optional(),
});

const common = { version: z.literal(intakePayloadVersion), requester: requesterSchema };

/** `/imagine <prompt>` with its options checked; no files (slash commands carry none). */
const commandSchema = z.object({
  ...common,
  kind: z.literal('command'),
  channelId: z.string(),
  prompt: z.string(),
  settings: settingsSchema,
  /** The command's response URL (valid 30 minutes): answers the user where the bot is not a member. */
  responseUrl: z.string().optional(),
});

/** A mention or a reply in one of the bot's threads, as it arrived: the takeover reads the thread and parses it again. */
const messageSchema = z.object({
  ...common,
  kind: z.literal('message'),
  via: z.enum(['reply', 'mention']),
  channelId: z.string(),
  /** The message's own ts (the job answers it). */
  ts: z.string(),
  /** The thread it was posted in; absent for a channel-level mention. */
  threadTs: z.string().optional(),
  /** Slack-encoded text. */
  text: z.string(),
  files: z.array(fileSchema),
});

/** Reroll or 4K under a result: the job repeated, in its thread. */
const jobButtonSchema = z.object({
  ...common,
  kind: z.literal('job-button'),
  action: z.enum(['reroll', 'upscale']),
  jobId: z.string(),
  channelId: z.string(),
  threadTs: z.string(),
  responseUrl: z.string().optional(),
});

/** A submitted Remix modal: what it remixes (its private metadata), the prompt typed and the files added. */
const remixModalSchema = z.object({
  ...common,
  kind: z.literal('remix-modal'),
  jobId: z.string().optional(),
  channelId: z.string(),
  threadTs: z.string(),
  /** Images of the message the shortcut was used on, by id. */
  sourceFileIds: z.array(z.string()),
  responseUrl: z.string().optional(),
  prompt: z.string(),
  files: z.array(fileSchema),
});

const payloadSchema = z.discriminatedUnion('kind', [commandSchema, messageSchema, jobButtonSchema, remixModalSchema]);

/** Every kind of Slack intake payload. */
export type SlackIntakePayload = z.infer<typeof payloadSchema>;
/** A recorded `/imagine`. */
export type CommandPayload = z.infer<typeof commandSchema>;
/** A recorded mention or thread reply. */
export type MessagePayload = z.infer<typeof messageSchema>;
/** A recorded Reroll or 4K click. */
export type JobButtonPayload = z.infer<typeof jobButtonSchema>;
/** A recorded Remix modal submission. */
export type RemixModalPayload = z.infer<typeof remixModalSchema>;

/** Reads a stored payload back; undefined when it is missing, from another version, or not this adapter's. */
export function parseIntakePayload(payload: unknown): SlackIntakePayload | undefined {
  const parsed = payloadSchema.safeParse(payload);
  return parsed.success ? parsed.data : undefined;
}

/** The settings as the launcher takes them (every key present). */
export function settingsFrom(recorded: CommandPayload['settings']): JobSettings {
  return {
    provider: recorded.provider,
    ...(recorded.providerFromDefault === true ? { providerFromDefault: true } : {}),
    model: recorded.model,
    aspectRatio: recorded.aspectRatio,
    resolution: recorded.resolution,
    ...(recorded.resolutionFromDefault === true ? { resolutionFromDefault: true } : {}),
  };
}

/** The settings as recorded (JSON drops undefined keys anyway; this keeps the record explicit). */
export function recordedSettings(settings: JobSettings): CommandPayload['settings'] {
  return {
    provider: settings.provider,
    ...(settings.providerFromDefault === true ? { providerFromDefault: true } : {}),
    ...(settings.model === undefined ? {} : { model: settings.model }),
    ...(settings.aspectRatio === undefined ? {} : { aspectRatio: settings.aspectRatio }),
    resolution: settings.resolution,
    ...(settings.resolutionFromDefault === true ? { resolutionFromDefault: true } : {}),
  };
}

/** A recorded file as the file intake takes it. */
export function slackFileFrom(recorded: z.infer<typeof fileSchema>): SlackFile {
  return { id: recorded.id, name: recorded.name, mimetype: recorded.mimetype, urlPrivateDownload: recorded.urlPrivateDownload };
}

/** The recorded form of a file: id, name, type and download URL only. */
export function recordedFile(file: SlackFile): z.infer<typeof fileSchema> {
  return {
    id: file.id,
    name: file.name,
    ...(file.mimetype === undefined ? {} : { mimetype: file.mimetype }),
    ...(file.urlPrivateDownload === undefined ? {} : { urlPrivateDownload: file.urlPrivateDownload }),
  };
}
