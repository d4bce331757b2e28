// Defensive readers for the parts of Slack payloads the adapter uses (files, messages), typed narrowly.

/** A file attached to a message or submitted through a modal `file_input`. */
export interface SlackFile {
  id: string;
  name: string;
  /** Slack's declared type; checked again by sniffing the downloaded bytes. */
  mimetype: string | undefined;
  urlPrivateDownload: string | undefined;
}

/** A message as shortcuts and `conversations.replies` describe it. */
export interface SlackMessage {
  ts: string;
  threadTs: string | undefined;
  user: string | undefined;
  botId: string | undefined;
  text: string;
  blocks: unknown[];
  files: SlackFile[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `value[key]` when it is a non-empty string. */
export function stringField(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const field = value[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/** The files of a message, event or `file_input` value (entries without an id are skipped). */
export function readFiles(value: unknown): SlackFile[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const id = stringField(entry, 'id');
    if (id === undefined) return [];
    return [
      {
        id,
        name: stringField(entry, 'name') ?? stringField(entry, 'title') ?? id,
        mimetype: stringField(entry, 'mimetype'),
        urlPrivateDownload: stringField(entry, 'url_private_download') ?? stringField(entry, 'url_private'),
      },
    ];
  });
}

/** A message object from a payload or an API answer; undefined when it has no `ts`. */
export function readMessage(value: unknown): SlackMessage | undefined {
  const ts = stringField(value, 'ts');
  if (ts === undefined || !isRecord(value)) return undefined;
  return {
    ts,
    threadTs: stringField(value, 'thread_ts'),
    user: stringField(value, 'user'),
    botId: stringField(value, 'bot_id'),
    text: stringField(value, 'text') ?? '',
    blocks: Array.isArray(value.blocks) ? value.blocks : [],
    files: readFiles(value.files),
  };
}

/** Files Slack marks as images (the bytes are sniffed again after download). */
export function imageFiles(files: SlackFile[]): SlackFile[] {
  return files.filter((file) => file.mimetype === undefined || file.mimetype.startsWith('image/'));
}

/** The Slack error code of a failed Web API call (`not_in_channel`), if it is one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (!isRecord(error) || !isRecord(error.data)) return undefined;
  const code = error.data.error;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The thread of the message a button was clicked on (an interaction payload's `message`): its parent, or
 * the message itself when it is at channel level. Buttons of a result posted before its status message
 * live in the image's thread, which the job's stored origin does not know.
 */
export function clickedThreadOf(body: unknown): string | undefined {
  const message = readMessage(isRecord(body) ? body.message : undefined);
  return message?.threadTs ?? message?.ts;
}
