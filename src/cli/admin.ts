// Operators' command line over the bot's own store and quota policy: balances, grants, resets, recent jobs, retention, spend, moderation.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import type { ModerationFilter } from '../core/community-store.ts';
import { isBotError } from '../core/errors.ts';
import { jobStates, type JobState } from '../core/job-store.ts';
import { formatCredits } from '../core/quota-policy.ts';
import { spendQueryFrom, type SpendQuery } from '../core/spend-report.ts';
import { alignColumns } from '../core/text-table.ts';
import { openStore, unbalancedAccounts, type OpenedStore, type RecentJobsFilter } from '../store/index.ts';
import { describeBalance, jobRow, showBalance, timestamp } from './admin-balance.ts';
import { moderationFilterFrom, printModeration } from './admin-moderation.ts';
import { printSpend } from './admin-spend.ts';

const usage = `Usage: npm run admin -- <command> [options]

Commands:
  balance <user-key>             credits left today, credits held by images in progress, next reset
  grant <user-key> <credits>     add credits to today's balance
  reset <user-key>               restore today's balance to the daily allowance
  jobs [--state S] [--user KEY] [--limit N]
                                 recent jobs, newest first (default limit 20)
  purge                          delete finished jobs older than JOB_RETENTION_DAYS (the ledger is kept)
  audit                          check every quota balance against the ledger
  spend [--since DATE] [--by provider|day|user|server]
                                 what accepted jobs cost the operator (default by provider, all time;
                                 DATE is a UTC day like 2026-11-01)
  moderation [--community KEY] [--since DATE] [--limit N]
                                 blocked prompts and provider refusals, newest first (default limit 50);
                                 KEY is discord:<server id> or slack:<team id>

User keys are platform-qualified: discord:123, slack:U456, cli:alice.
States: ${jobStates.join(', ')}.
The database is DATABASE_URL (PostgreSQL) when set, else the SQLite file DATABASE_PATH (default data/bot.db),
read from the environment or .env.`;

const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
const dayMs = 86_400_000;
const userKeyPattern = /^(discord|slack|cli):\S+$/;

/** Bad arguments: reported with the usage text and exit code 2. */
class UsageError extends Error {}

type Print = (line: string) => void;

interface CommandContext {
  opened: OpenedStore;
  retentionDays: number;
  actor: string;
  now: number;
  print: Print;
}

/** Who the ledger names for grants and resets made here: `cli:<os user>`. */
function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // Containers without a passwd entry for the uid still deserve an attributable row.
    return `cli:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

function userKey(value: string | undefined): string {
  if (value === undefined) throw new UsageError('Missing <user-key>.');
  if (!userKeyPattern.test(value)) {
    throw new UsageError(`"${value}" is not a user key; use a platform-qualified id like discord:123 or slack:U456.`);
  }
  return value;
}

function wholeNumber(value: string, name: string, minimum: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < minimum) {
    throw new UsageError(`${name} must be a whole number of at least ${minimum}; got "${value}".`);
  }
  return number;
}

/** A command with its arguments checked, before anything touches the database. */
type Command =
  | { name: 'balance'; key: string }
  | { name: 'grant'; key: string; credits: number }
  | { name: 'reset'; key: string }
  | { name: 'jobs'; filter: RecentJobsFilter }
  | { name: 'purge' }
  | { name: 'audit' }
  | { name: 'spend'; query: SpendQuery }
  | { name: 'moderation'; filter: ModerationFilter };

function parseCommand(name: string, args: string[], options: CommandOptions): Command {
  const expectArguments = (count: number) => {
    if (args.length !== count) throw new UsageError(`"${name}" takes ${count === 0 ? 'no' : count} argument${count === 1 ? '' : 's'}.`);
  };
  const { since, by, community, state, user, limit } = options;
  if (name !== 'jobs' && (state !== undefined || user !== undefined)) throw new UsageError('--state and --user only apply to "jobs".');
  if (name !== 'jobs' && name !== 'moderation' && limit !== undefined) throw new UsageError('--limit only applies to "jobs" and "moderation".');
  if (name !== 'spend' && by !== undefined) throw new UsageError('--by only applies to "spend".');
  if (name !== 'spend' && name !== 'moderation' && since !== undefined) throw new UsageError('--since only applies to "spend" and "moderation".');
  if (name !== 'moderation' && community !== undefined) throw new UsageError('--community only applies to "moderation".');
  switch (name) {
    case 'balance':
    case 'reset':
      expectArguments(1);
      return { name, key: userKey(args[0]) };
    case 'grant':
      expectArguments(2);
      return { name, key: userKey(args[0]), credits: wholeNumber(args[1] ?? '', '<credits>', 1) };
    case 'jobs': {
      expectArguments(0);
      if (state !== undefined && !(jobStates as readonly string[]).includes(state)) {
        throw new UsageError(`--state must be one of ${jobStates.join(', ')}; got "${state}".`);
      }
      return {
        name,
        filter: {
          ...(state === undefined ? {} : { state: state as JobState }),
          ...(user === undefined ? {} : { requesterKey: userKey(user) }),
          limit: limit === undefined ? 20 : wholeNumber(limit, '--limit', 1),
        },
      };
    }
    case 'purge':
    case 'audit':
      expectArguments(0);
      return { name };
    case 'spend': {
      expectArguments(0);
      const query = spendQueryFrom({ since, by });
      if ('problem' in query) throw new UsageError(query.problem);
      return { name, query };
    }
    case 'moderation': {
      expectArguments(0);
      const filter = moderationFilterFrom({ community, since, limit });
      if ('problem' in filter) throw new UsageError(filter.problem);
      return { name, filter };
    }
    default:
      throw new UsageError(`Unknown command "${name}".`);
  }
}

async function runCommand(command: Command, context: CommandContext): Promise<number> {
  const { opened, now, print, actor } = context;
  switch (command.name) {
    case 'balance':
      await showBalance(context, command.key);
      return exitCodes.ok;
    case 'grant': {
      const balance = await opened.store.grant(command.key, command.credits, actor, now);
      print(`Granted ${formatCredits(command.credits)} to ${command.key} for today (by ${actor}).`);
      for (const line of describeBalance(balance, now)) print(line);
      return exitCodes.ok;
    }
    case 'reset': {
      const balance = await opened.store.reset(command.key, actor, now);
      print(`Reset ${command.key} to the daily allowance (by ${actor}).`);
      for (const line of describeBalance(balance, now)) print(line);
      return exitCodes.ok;
    }
    case 'jobs': {
      const jobs = await opened.store.listRecent(command.filter);
      if (jobs.length === 0) {
        print('No jobs match.');
        return exitCodes.ok;
      }
      const header = ['CREATED', 'ID', 'STATE', 'USER', 'COST', 'PROVIDER/MODEL', 'TRIED', 'ERROR', 'PROMPT'];
      for (const line of alignColumns([header, ...jobs.map(jobRow)])) print(line);
      return exitCodes.ok;
    }
    case 'purge': {
      const cutoff = now - context.retentionDays * dayMs;
      const purged = await opened.store.purgeFinishedBefore(cutoff);
      print(
        `Deleted ${purged} finished job${purged === 1 ? '' : 's'} created before ${timestamp(cutoff)} `
          + `(JOB_RETENTION_DAYS=${context.retentionDays}); the ledger is kept.`,
      );
      return exitCodes.ok;
    }
    case 'audit': {
      const audits = await opened.store.auditAccounts();
      const unbalanced = unbalancedAccounts(audits);
      for (const audit of unbalanced) {
        print(
          `MISMATCH ${audit.scope} ${audit.accountKey} ${audit.quotaDay}: available ${audit.available} (ledger ${audit.ledgerAvailable}), `
            + `reserved ${audit.reserved} (ledger ${audit.ledgerReserved}, open jobs ${audit.heldByOpenJobs})`,
        );
      }
      print(`${audits.length - unbalanced.length} of ${audits.length} quota account days match their ledger.`);
      return unbalanced.length === 0 ? exitCodes.ok : exitCodes.failure;
    }
    case 'spend':
      await printSpend(opened.store, command.query, print);
      return exitCodes.ok;
    case 'moderation':
      await printModeration(opened.store, command.filter, print);
      return exitCodes.ok;
  }
}

/** The options as typed; each command accepts only its own. */
interface CommandOptions {
  state: string | undefined;
  user: string | undefined;
  limit: string | undefined;
  since: string | undefined;
  by: string | undefined;
  community: string | undefined;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        state: { type: 'string' },
        user: { type: 'string' },
        limit: { type: 'string' },
        since: { type: 'string' },
        by: { type: 'string' },
        community: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...args] = parsed.positionals;
  if (parsed.values.help === true) {
    process.stdout.write(`${usage}\n`);
    return exitCodes.ok;
  }
  if (command === undefined) throw new UsageError('Missing command.');
  // Parsed completely before opening the database, so a typo never creates a database file.
  const { state, user, limit, since, by, community } = parsed.values;
  const parsedCommand = parseCommand(command, args, { state, user, limit, since, by, community });
  const config = loadConfig();
  const opened = await openStore(config);
  try {
    return await runCommand(parsedCommand, {
      opened,
      retentionDays: config.jobs.retentionDays,
      actor: cliActor(),
      now: Date.now(),
      print: (line) => process.stdout.write(`${line}\n`),
    });
  } finally {
    await opened.close();
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${usage}\n`);
    return exitCodes.usage;
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return exitCodes.failure;
  }
  if (isBotError(error) && error.code === 'invalid_request') {
    process.stderr.write(`${error.message}\n`);
    return exitCodes.usage;
  }
  process.stderr.write(`Failed: ${(error as Error).message}\n`);
  return exitCodes.failure;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = exitCodeFor(error);
  },
);
