// The Remix modal: a prompt field and a `file_input`, with where the remix goes kept in `private_metadata`.
import type { types } from '@slack/bolt';
import { callbackIds } from './blocks.ts';
import { slackText } from './messages.ts';
import { readFiles, type SlackFile } from './slack-payloads.ts';

/** What a submitted modal remixes and where the result goes; survives in the view's `private_metadata`. */
export interface RemixSource {
  /** The job whose result is the starting image (Remix button, or the shortcut on a bot result). */
  jobId?: string;
  channelId: string;
  threadTs: string;
  /** Images of the message the shortcut was used on. */
  fileIds: string[];
  /** From the opening interaction, to answer the user where the bot is not a channel member. */
  responseUrl?: string;
}

const blockIds = { prompt: 'remix_prompt', files: 'remix_files' } as const;
const elementIds = { prompt: 'prompt_input', files: 'files_input' } as const;

/** Slack caps `private_metadata` at 3,000 characters; the response URL is the only part that can be dropped. */
function encodeSource(source: RemixSource): string {
  const encoded = JSON.stringify(source);
  return encoded.length <= 3000 ? encoded : JSON.stringify({ ...source, responseUrl: undefined });
}

/** The modal for `source`, the prompt field prefilled with `prompt` when given. */
export function remixModal(source: RemixSource, prompt: string | undefined): types.ModalView {
  const note = source.jobId ? slackText.modal.fromResult : slackText.modal.fromMessage(source.fileIds.length);
  return {
    type: 'modal',
    callback_id: callbackIds.remixModal,
    private_metadata: encodeSource(source),
    title: { type: 'plain_text', text: slackText.modal.title },
    submit: { type: 'plain_text', text: slackText.modal.submit },
    close: { type: 'plain_text', text: slackText.modal.close },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: note }] },
      {
        type: 'input',
        block_id: blockIds.prompt,
        label: { type: 'plain_text', text: slackText.modal.promptLabel },
        element: {
          type: 'plain_text_input',
          action_id: elementIds.prompt,
          multiline: true,
          max_length: 3000,
          placeholder: { type: 'plain_text', text: slackText.modal.promptPlaceholder },
          ...(prompt ? { initial_value: prompt.slice(0, 3000) } : {}),
        },
      },
      {
        type: 'input',
        block_id: blockIds.files,
        optional: true,
        label: { type: 'plain_text', text: slackText.modal.filesLabel },
        hint: { type: 'plain_text', text: slackText.modal.filesHint },
        element: { type: 'file_input', action_id: elementIds.files, filetypes: ['png', 'jpg', 'jpeg', 'webp'], max_files: 10 },
      },
    ],
  };
}

/** The source stored in a submitted view, or undefined when it is not ours or is damaged. */
export function readRemixSource(privateMetadata: string | undefined): RemixSource | undefined {
  try {
    const parsed = JSON.parse(privateMetadata ?? '') as Partial<RemixSource>;
    if (typeof parsed.channelId !== 'string' || typeof parsed.threadTs !== 'string') return undefined;
    return {
      ...(typeof parsed.jobId === 'string' ? { jobId: parsed.jobId } : {}),
      channelId: parsed.channelId,
      threadTs: parsed.threadTs,
      fileIds: Array.isArray(parsed.fileIds) ? parsed.fileIds.filter((id): id is string => typeof id === 'string') : [],
      ...(typeof parsed.responseUrl === 'string' ? { responseUrl: parsed.responseUrl } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The prompt typed and the files added in a submitted modal. */
export function readSubmission(values: unknown): { prompt: string; files: SlackFile[] } {
  const state = (values ?? {}) as Record<string, Record<string, { value?: unknown; files?: unknown }> | undefined>;
  const prompt = state[blockIds.prompt]?.[elementIds.prompt]?.value;
  return {
    prompt: typeof prompt === 'string' ? prompt : '',
    files: readFiles(state[blockIds.files]?.[elementIds.files]?.files),
  };
}

/** The block a modal error is shown under. */
export const remixBlockIds = blockIds;
