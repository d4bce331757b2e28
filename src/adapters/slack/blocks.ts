// Block Kit for the bot's status messages: the status line, a credits line, and buttons that carry the job id.
import type { types } from '@slack/bolt';
import { truncate } from './escape.ts';

/** Button action ids; each button's `value` is the job id, so clicks work after a restart. */
export const actionIds = {
  reroll: 'imagine_reroll',
  remix: 'imagine_remix',
  upscale: 'imagine_upscale',
  /** On a pending status message (queued or generating): ends the job, for its requester or an admin. */
  cancel: 'imagine_cancel',
} as const;

/**
 * Block id prefixes of the buttons row. A job's own status message uses `imagine_job:<id>`; a result
 * shown again by `/imagine show` uses `imagine_show:<id>`, so its buttons act where they were clicked
 * rather than in the thread the job first ran in.
 */
export const buttonRows = { job: 'imagine_job:', shown: 'imagine_show:' } as const;

/** Callback ids of the message shortcut and the modal (also in commands/slack-manifest.yml). */
export const callbackIds = {
  remixShortcut: 'imagine_remix_shortcut',
  remixModal: 'imagine_remix_modal',
} as const;

/** A message body: `text` is the notification and screen-reader fallback of the blocks. */
export interface MessageBody {
  text: string;
  blocks: types.KnownBlock[];
}

/** The buttons under a delivered result. */
export interface StatusButtons {
  jobId: string;
  labels: { reroll: string; remix: string; upscale: string };
  /** Show the 4K button (the model can make 4K and this was not 4K already). */
  canUpscale: boolean;
}

/** What a status message shows besides its line. */
export interface StatusOptions {
  /** A second, smaller line (credits, the reason of a failure). */
  context?: string;
  /** Reroll, Remix and 4K under a delivered result. */
  buttons?: StatusButtons;
  /** "Try again" under a failure that may succeed on another attempt. */
  retry?: { jobId: string; label: string };
  /** Cancel under a job still queued or generating. */
  cancel?: { jobId: string; label: string };
  /** Which row the buttons form (default `buttonRows.job`). */
  row?: (typeof buttonRows)[keyof typeof buttonRows];
}

/** The status message: `line` (already escaped), an optional context line, optional buttons. */
export function statusMessage(line: string, options: StatusOptions = {}): MessageBody {
  const blocks: types.KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: line } }];
  // Slack refuses mrkdwn elements over 3,000 characters; long validation messages are cut rather than lost.
  if (options.context) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(options.context, 2900) }] });
  const elements: types.Button[] = [];
  if (options.buttons) {
    const { jobId, labels } = options.buttons;
    elements.push(button(actionIds.reroll, labels.reroll, jobId));
    elements.push(button(actionIds.remix, labels.remix, jobId));
    if (options.buttons.canUpscale) elements.push(button(actionIds.upscale, labels.upscale, jobId));
  }
  if (options.retry) elements.push(button(actionIds.reroll, options.retry.label, options.retry.jobId));
  if (options.cancel) elements.push({ ...button(actionIds.cancel, options.cancel.label, options.cancel.jobId), style: 'danger' });
  if (elements.length > 0) {
    const jobId = options.buttons?.jobId ?? options.retry?.jobId ?? options.cancel?.jobId ?? '';
    blocks.push({ type: 'actions', block_id: `${options.row ?? buttonRows.job}${jobId}`, elements });
  }
  const text = options.context ? `${line}\n${options.context}` : line;
  return { text, blocks };
}

function button(actionId: string, label: string, jobId: string): types.Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text: label }, value: jobId };
}

/** The job id a status message belongs to, read from its buttons; undefined for other messages. */
export function jobIdFromBlocks(blocks: unknown[]): string | undefined {
  for (const block of blocks) {
    if (typeof block !== 'object' || block === null) continue;
    const elements = (block as { elements?: unknown }).elements;
    if (!Array.isArray(elements)) continue;
    for (const element of elements) {
      const { action_id: actionId, value } = element as { action_id?: unknown; value?: unknown };
      if ((actionId === actionIds.reroll || actionId === actionIds.remix || actionId === actionIds.upscale) && typeof value === 'string') {
        return value;
      }
    }
  }
  return undefined;
}
