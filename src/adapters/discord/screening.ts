// Checks a request against the server's allowed channels and the blocked terms before anything public is posted, and words the refusal for the requester alone.
import type { RepliableInteraction } from 'discord.js';
import type { RequestRefusal } from '../../core/imagine-service.ts';
import type { Origin, Requester } from '../../core/request.ts';
import type { DiscordContext } from './context.ts';
import { explainError, text } from './messages.ts';
import { recordedParentChannel } from './origin.ts';
import { replyPrivately } from './private-refusal.ts';

/** Channels listed in a refusal: a server may allow up to 100, and the whole answer must stay under 2,000 characters. */
const maxChannelsListed = 40;

/** What is screened: the prompt as it will be sent, who asks, and where. */
export interface ScreenInput {
  /** The prompt as it would be sent (a Reroll repeats its job's). */
  prompt: string;
  /** Who asks, with their server. */
  requester: Requester;
  /** Where the answer would be posted; a thread's parent is read from its `extra` (see `interactionOrigin`). */
  origin: Origin;
}

/** `<#a>, <#b> and 3 more`: mentions of channels never ping anyone. */
export function channelList(channelIds: readonly string[]): string {
  const shown = channelIds.slice(0, maxChannelsListed).map((id) => `<#${id}>`);
  const left = channelIds.length - shown.length;
  return left > 0 ? `${shown.join(', ')} ${text.more(left)}` : shown.join(', ');
}

/** The private answer to a refusal. */
function refusalText(refusal: RequestRefusal): string {
  if (refusal.kind === 'channel_not_allowed') return text.channelNotAllowed(channelList(refusal.allowedChannels));
  return text.promptBlocked(refusal.rule, refusal.source);
}

/**
 * Screens a request (see `CommunityControls.screen`); a thread counts as its parent channel, read
 * from the origin. Returns the refusal, for the caller to answer where only the requester sees it.
 */
export async function screenRequest(context: DiscordContext, input: ScreenInput): Promise<RequestRefusal | undefined> {
  const parentChannelId = recordedParentChannel(input.origin);
  return context.service.screen({ ...input, ...(parentChannelId === undefined ? {} : { parentChannelId }) });
}

/**
 * Screens a request answered through `interaction` before anything public is posted; when it is
 * refused, answers the requester alone with the reason and returns true (the caller stops there).
 */
export async function refusedPrivately(context: DiscordContext, interaction: RepliableInteraction, input: ScreenInput): Promise<boolean> {
  const refusal = await screenRequest(context, input);
  if (refusal === undefined) return false;
  await replyPrivately(interaction, refusalText(refusal));
  return true;
}

/**
 * The private answer when `start` itself refused the channel (the settings changed between the screen
 * and the start, or a request resumed after a restart): the channels are read again to list them.
 */
export async function channelRefusalText(context: DiscordContext, communityId: string | undefined): Promise<string> {
  const settings = communityId === undefined ? undefined : await context.service.communitySettings(`discord:${communityId}`);
  const allowed = settings?.allowedChannels ?? [];
  return allowed.length === 0 ? text.rejected(explainError('channel_not_allowed', '')) : text.channelNotAllowed(channelList(allowed));
}
