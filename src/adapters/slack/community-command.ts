// Tells `/imagine settings …`, `show <id>` and `cancel <id>` apart from prompts, and answers them.
import type { Requester } from '../../core/request.ts';
import { answerCancelCommand } from './cancel-handlers.ts';
import { decodeSlackText } from './escape.ts';
import type { SlackRuntime } from './runtime.ts';
import { settingsSubcommands, answerSettings } from './settings-command.ts';
import { showJobHere } from './show-command.ts';

/** A community command, or undefined when the text is a prompt. */
export type CommunityCommand =
  /** The raw words after `settings` (channel links still encoded: they carry the channel id). */
  | { kind: 'settings'; words: string[] }
  | { kind: 'show'; reference: string | undefined }
  | { kind: 'cancel'; reference: string | undefined };

/**
 * A job reference as `/imagine jobs` shows it or a full id: hexadecimal digits and dashes. Prompts
 * such as "show sunsets" or "cancel culture" are not one, so they stay prompts.
 */
const jobReference = /^[0-9a-f][0-9a-f-]{5,63}$/i;

/**
 * Reads the raw `/imagine` (or mention) text. `show` and `cancel` are commands alone or followed by
 * one job reference; `settings` alone or followed by one of its subcommands. Anything else is a prompt.
 */
export function parseCommunityCommand(rawText: string): CommunityCommand | undefined {
  const words = rawText.trim().split(/\s+/).filter((word) => word !== '');
  const [first, ...rest] = words;
  const keyword = first?.toLowerCase();
  if (keyword === 'settings') {
    const subcommand = rest[0]?.toLowerCase();
    if (subcommand === undefined || (settingsSubcommands as readonly string[]).includes(subcommand)) return { kind: 'settings', words: rest };
    return undefined;
  }
  if (keyword !== 'show' && keyword !== 'cancel') return undefined;
  if (rest.length > 1) return undefined;
  const reference = rest[0] === undefined ? undefined : decodeSlackText(rest[0]);
  if (reference !== undefined && !jobReference.test(reference)) return undefined;
  return { kind: keyword, reference };
}

/** The answer to a community command by `requester` in `channelId` (only they see it); undefined when a post says it all. */
export async function answerCommunityCommand(runtime: SlackRuntime, command: CommunityCommand, where: { requester: Requester; channelId: string }): Promise<string | undefined> {
  switch (command.kind) {
    case 'settings':
      return answerSettings(runtime, where.requester, where.channelId, command.words);
    case 'show':
      return showJobHere(runtime, { requester: where.requester, channelId: where.channelId, reference: command.reference });
    case 'cancel':
      return answerCancelCommand(runtime, command.reference, where.requester);
  }
}
