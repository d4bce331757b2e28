// What a Discord intake records to finish its request in any process: versioned JSON, references by URL, never bytes.
import { z } from 'zod';
import { requesterSchema } from '../../core/request.ts';
import type { AttachmentInfo } from './attachments.ts';

/** Bumped when a kind changes shape; an intake of another version is ended with an apology instead of misread. */
export const intakePayloadVersion = 1;

/** An attachment as recorded: where to download it again, and what Discord said about it. */
const attachmentSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  url: z.string(),
  contentType: z.string().nullable(),
  size: z.number(),
});

const common = { version: z.literal(intakePayloadVersion), requester: requesterSchema };

/** `/imagine`: every option as the user gave it (validated by the core when the job is started) and the attached files. */
const imagineSchema = z.object({
  ...common,
  kind: z.literal('imagine'),
  attachments: z.array(attachmentSchema),
  aspectRatio: z.string().optional(),
  resolution: z.string().optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
});

/** Reroll or 4K under a result: the job repeated. */
const jobButtonSchema = z.object({
  ...common,
  kind: z.literal('job-button'),
  action: z.enum(['reroll', 'upscale']),
  jobId: z.string(),
});

/** The modal of a result's Remix button: the job remixed, and its image when the button's message showed it. */
const remixModalSchema = z.object({
  ...common,
  kind: z.literal('remix-modal'),
  jobId: z.string(),
  image: attachmentSchema.optional(),
});

/** The modal of the "Remix" message command: the message remixed, and its images when they were seen. */
const messageRemixSchema = z.object({
  ...common,
  kind: z.literal('message-remix'),
  channelId: z.string(),
  messageId: z.string(),
  images: z.array(attachmentSchema).optional(),
});

/** A reply to a result: the job remixed, its image, and the images the reply added. */
const replyRemixSchema = z.object({
  ...common,
  kind: z.literal('reply-remix'),
  jobId: z.string(),
  resultImage: attachmentSchema,
  attachments: z.array(attachmentSchema),
  channelId: z.string(),
  messageId: z.string(),
});

const payloadSchema = z.discriminatedUnion('kind', [imagineSchema, jobButtonSchema, remixModalSchema, messageRemixSchema, replyRemixSchema]);

/** Every kind of Discord intake payload. */
export type DiscordIntakePayload = z.infer<typeof payloadSchema>;
export type ImaginePayload = z.infer<typeof imagineSchema>;
export type JobButtonPayload = z.infer<typeof jobButtonSchema>;
export type RemixModalPayload = z.infer<typeof remixModalSchema>;
export type MessageRemixPayload = z.infer<typeof messageRemixSchema>;
export type ReplyRemixPayload = z.infer<typeof replyRemixSchema>;

/** The recorded form of an attachment: plain fields only, so the JSON stays small and stable. */
export function recordedAttachment(attachment: AttachmentInfo): AttachmentInfo {
  return {
    ...(attachment.id === undefined ? {} : { id: attachment.id }),
    name: attachment.name,
    url: attachment.url,
    contentType: attachment.contentType,
    size: attachment.size,
  };
}

/** Reads a stored payload back; undefined when it is missing, from another version, or not this adapter's. */
export function parseIntakePayload(payload: unknown): DiscordIntakePayload | undefined {
  const parsed = payloadSchema.safeParse(payload);
  return parsed.success ? parsed.data : undefined;
}
