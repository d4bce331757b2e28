// Button and modal custom ids: they carry the job id (or message) so they keep working after a restart.

/** Versioned so ids from an older release can be recognised (and refused cleanly) later. */
const prefix = 'ni1';
/** Discord's limit on `custom_id`. */
const maxLength = 100;

/** What a result button does. */
export type ButtonAction = 'reroll' | 'remix' | 'upscale';
const buttonActions: readonly ButtonAction[] = ['reroll', 'remix', 'upscale'];

/** The text input of both remix modals. */
export const remixPromptField = 'prompt';

export type ParsedCustomId =
  | { kind: 'button'; action: ButtonAction; jobId: string }
  /** The Cancel button on a pending message (kept apart from result buttons: its message holds no result). */
  | { kind: 'cancel'; jobId: string }
  /** The modal opened by a result's Remix button. */
  | { kind: 'remix-modal'; jobId: string }
  /** The modal opened by the "Remix" message command on any message with images. */
  | { kind: 'message-remix-modal'; channelId: string; messageId: string };

function checked(id: string): string {
  if (id.length > maxLength) throw new Error(`custom_id longer than ${maxLength} characters: ${id}`);
  return id;
}

/** The custom id of a result button for `jobId`. */
export function buttonId(action: ButtonAction, jobId: string): string {
  return checked(`${prefix}:${action}:${jobId}`);
}

/** The custom id of the Cancel button on `jobId`'s pending message. */
export function cancelButtonId(jobId: string): string {
  return checked(`${prefix}:cancel:${jobId}`);
}

/** The custom id of the Remix button's modal. */
export function remixModalId(jobId: string): string {
  return checked(`${prefix}:remix-modal:${jobId}`);
}

/** The custom id of the message command's modal; the ids let the submit find the images again. */
export function messageRemixModalId(channelId: string, messageId: string): string {
  return checked(`${prefix}:message-remix-modal:${channelId}:${messageId}`);
}

/** Reads a custom id this bot made, or undefined for anything else. */
export function parseCustomId(customId: string): ParsedCustomId | undefined {
  const [head, kind, first, second] = customId.split(':');
  if (head !== prefix || kind === undefined || first === undefined || first === '') return undefined;
  if ((buttonActions as readonly string[]).includes(kind)) return { kind: 'button', action: kind as ButtonAction, jobId: first };
  if (kind === 'cancel') return { kind: 'cancel', jobId: first };
  if (kind === 'remix-modal') return { kind: 'remix-modal', jobId: first };
  if (kind === 'message-remix-modal' && second !== undefined) return { kind: 'message-remix-modal', channelId: first, messageId: second };
  return undefined;
}

/** The job id a bot result message refers to, read from its buttons; undefined for other messages. */
export function jobIdOfComponents(customIds: readonly string[]): string | undefined {
  for (const customId of customIds) {
    const parsed = parseCustomId(customId);
    if (parsed?.kind === 'button') return parsed.jobId;
  }
  return undefined;
}
