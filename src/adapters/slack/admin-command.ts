// `/imagine admin …`: `spend` (the operator's spend table, ADMIN_USER_IDS only), `block` and `moderation` (workspace admins); answered only to the asker.
import { parseArgs } from 'node:util';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { Requester } from '../../core/request.ts';
import { spendQueryFrom, spendTableLines } from '../../core/spend-report.ts';
import { answerBlock, answerModeration } from './admin-block-command.ts';
import { escapeSlackText } from './escape.ts';
import { slackText } from './messages.ts';
import { normalizeDashes } from './parse-command.ts';
import type { SlackRuntime } from './runtime.ts';

/** Slack shows long messages, but a table past this many rows helps nobody in chat; the CLI shows them all. */
const maxRows = 40;

/** The words after `admin` when `text` is an admin command (`admin spend --by day`), else undefined. */
export function adminWords(text: string): string[] | undefined {
  const words = text.trim().split(/\s+/);
  return words[0]?.toLowerCase() === 'admin' ? words.slice(1).map(normalizeDashes) : undefined;
}

/**
 * The answer to `/imagine admin …` from `requester` (only they see it). `text` is the whole decoded
 * command text: a blocked term is taken from it as typed, not from the words `adminWords` normalised.
 */
export async function answerAdmin(runtime: SlackRuntime, requester: Requester, text: string): Promise<string> {
  const words = adminWords(text) ?? [];
  const subcommand = words[0]?.toLowerCase();
  if (subcommand === 'block') return answerBlock(runtime, requester, text);
  if (subcommand === 'moderation') return answerModeration(runtime, requester);
  // Spend covers every workspace and platform: the operator's alone.
  if (!runtime.service.isAdmin(requester)) return slackText.admin.adminOnly;
  if (subcommand !== 'spend') return slackText.admin.usage;
  return answerSpend(runtime.service, words.slice(1));
}

/** `admin spend [--since DATE] [--by …]` for an operator. */
async function answerSpend(service: ImagineService, options: readonly string[]): Promise<string> {
  let values: { since?: string | undefined; by?: string | undefined };
  try {
    ({ values } = parseArgs({ args: [...options], options: { since: { type: 'string' }, by: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch {
    return slackText.admin.usage;
  }
  const query = spendQueryFrom({ since: values.since, by: values.by?.toLowerCase() });
  if ('problem' in query) return slackText.admin.invalid(query.problem);
  const rows = await service.spendReport(query);
  const heading = slackText.admin.spendHeading(query.by, values.since);
  if (rows.length === 0) return `${heading}\n${slackText.admin.spendNone}`;
  const [header = '', ...lines] = spendTableLines(rows, query);
  const total = lines.at(-1) ?? '';
  const groups = lines.slice(0, -1);
  const shown = groups.slice(0, maxRows);
  // Keys are platform ids, but nothing in a message is left for Slack to read as markup.
  const table = ['```', ...[header, ...shown, total].map(escapeSlackText), '```'].join('\n');
  return groups.length > shown.length ? `${heading}\n${table}\n${slackText.admin.spendCut(groups.length - shown.length)}` : `${heading}\n${table}`;
}
