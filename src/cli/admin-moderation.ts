// `npm run admin -- moderation [--community KEY] [--since DATE] [--limit N]`: the moderation log as a table, on either database.
import type { CommunityStore, ModerationEvent, ModerationFilter } from '../core/community-store.ts';
import { parseSpendDate } from '../core/spend-report.ts';
import { alignColumns } from '../core/text-table.ts';

const communityKeyPattern = /^(discord|slack):\S+$/;
const defaultLimit = 50;
const maximumLimit = 1000;

/** The filter the options ask for, or the problem with them (worded for the usage message). */
export function moderationFilterFrom(options: { community?: string | undefined; since?: string | undefined; limit?: string | undefined }): ModerationFilter | { problem: string } {
  const filter: ModerationFilter = { limit: defaultLimit };
  if (options.community !== undefined) {
    if (!communityKeyPattern.test(options.community)) {
      return { problem: `--community must be a community key like discord:123 or slack:T456; got "${options.community}".` };
    }
    filter.communityKey = options.community;
  }
  if (options.since !== undefined) {
    const since = parseSpendDate(options.since);
    if (since === undefined) return { problem: `--since must be a UTC day like 2026-11-01; got "${options.since}".` };
    filter.since = since;
  }
  if (options.limit !== undefined) {
    const limit = Number(options.limit);
    if (!/^\d+$/.test(options.limit) || limit < 1 || limit > maximumLimit) {
      return { problem: `--limit must be a whole number from 1 to ${maximumLimit}; got "${options.limit}".` };
    }
    filter.limit = limit;
  }
  return filter;
}

/** One line: prompts are flattened and shortened so a row stays one terminal line. */
function eventRow(event: ModerationEvent): string[] {
  const prompt = event.prompt.replace(/\s+/g, ' ');
  const detail = event.detail.replace(/\s+/g, ' ');
  return [
    `${new Date(event.createdAt).toISOString().slice(0, 19).replace('T', ' ')} UTC`,
    event.kind,
    event.communityKey ?? '-',
    event.channelId ?? '-',
    event.requesterKey,
    event.kind === 'blocked' ? `${event.source} list: ${detail}` : `${event.source}: ${detail.length > 60 ? `${detail.slice(0, 59)}…` : detail}`,
    prompt.length > 50 ? `${prompt.slice(0, 49)}…` : prompt,
  ];
}

/** Prints the log, newest first (or a line saying it is empty). */
export async function printModeration(store: Pick<CommunityStore, 'moderationEvents'>, filter: ModerationFilter, print: (line: string) => void): Promise<void> {
  const events = await store.moderationEvents(filter);
  if (events.length === 0) {
    print('No blocked prompts or provider refusals recorded.');
    return;
  }
  const header = ['WHEN', 'KIND', 'COMMUNITY', 'CHANNEL', 'USER', 'RULE OR REASON', 'PROMPT'];
  for (const line of alignColumns([header, ...events.map(eventRow)])) print(line);
}
