// Every text of the community controls a Slack user reads (allowed channels, cancel, show, settings, blocked terms, moderation), in one map.
import type { CommunitySettings, SettingsChange, SettingsChangeRecord } from '../../core/community-settings.ts';
import type { ModerationEvent } from '../../core/community-store.ts';
import type { JobState } from '../../core/job-store.ts';
import type { OperatorDefaults } from '../../core/imagine-service.ts';
import { escapeSlackText as escape, truncate } from './escape.ts';

function plural(count: number, word: string, words = `${word}s`): string {
  return `${count} ${count === 1 ? word : words}`;
}

/** Slack renders this in each reader's time zone. */
function slackDate(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${new Date(epochMs).toISOString()}>`;
}

/**
 * A channel by id: Slack shows its name and links it, and a channel link notifies nobody. Ids come from
 * the store, where only ids Slack sent are kept, but they are escaped all the same.
 */
function channelLink(channelId: string): string {
  return `<#${escape(channelId)}>`;
}

/** Channels listed in one line at most; a longer list ends with how many more there are. */
const listedChannels = 15;

function channelList(channelIds: readonly string[]): string {
  const shown = channelIds.slice(0, listedChannels).map(channelLink).join(', ');
  return channelIds.length > listedChannels ? `${shown} and ${channelIds.length - listedChannels} more` : shown;
}

/**
 * A user in answers only the asker sees (ephemeral messages notify nobody), shown by Slack with their
 * current name; ids come from the store and are escaped all the same.
 */
function userLink(requesterKey: string): string {
  return `<@${escape(requesterKey.replace(/^slack:/, ''))}>`;
}

const settingNames: Record<'provider' | 'model' | 'aspectRatio' | 'resolution' | 'dailyCredits', string> = {
  provider: 'default provider',
  model: 'default model',
  aspectRatio: 'default aspect ratio',
  resolution: 'default resolution',
  dailyCredits: 'daily credits per member',
};

const settingsUsage = [
  '*Workspace settings* (workspace admins only; only you see the answers):',
  '• `/imagine settings show`',
  '• `/imagine settings provider <id>|clear` · `model <id>|clear` · `aspect <ratio>|clear` · `resolution 1K|2K|4K|clear`',
  '• `/imagine settings channel add|remove [#channel]` (without a channel: this one) · `channel clear` (everywhere again)',
  '• `/imagine settings credits <n>|clear`: daily credits per member here (credits per role are a Discord feature: Slack has no roles)',
  '• `/imagine settings reset`: back to the bot’s defaults everywhere (blocked terms stay)',
].join('\n');

const blockUsage = 'Use `/imagine admin block add <term>`, `/imagine admin block remove <term>` or `/imagine admin block list`. A term written `/…/` is a regular expression.';

/** The text map of the community controls. */
export const communityText = {
  /** A request in a channel the workspace does not allow: where the bot may be used instead. */
  channelNotAllowed(allowedChannels: readonly string[]): string {
    if (allowedChannels.length === 0) return ':no_entry_sign: I can’t be used in this channel. Nothing was charged.';
    return `:no_entry_sign: This workspace uses me only in ${channelList(allowedChannels)}. Try there — nothing was charged.`;
  },
  workspaceOnly: 'This only works inside a Slack workspace.',
  adminOnly: 'Only workspace admins and owners (or the bot’s operators, ADMIN_USER_IDS) can do that.',
  /** A settings change or block entry the core refused: its reason, escaped. */
  refusedChange(reason: string): string {
    return `:warning: Nothing changed: ${escape(reason)}`;
  },

  cancel: {
    usage: 'Use `/imagine cancel <id>` with an id from `/imagine jobs`.',
    notAllowed: 'Only the person who asked or a workspace admin can cancel this.',
    finished: 'That image has already finished, so there is nothing to cancel.',
    /** A Cancel button whose job is gone (purged by retention). */
    gone: 'That job no longer exists, so there is nothing to cancel.',
    failed: 'Something went wrong while cancelling. Try again.',
    unknown(reference: string): string {
      return `There is no job \`${escape(truncate(reference, 40))}\` among yours. \`/imagine jobs\` lists your jobs with their ids.`;
    },
    /** The answer to `/imagine cancel` (the job's own message says so too). */
    done(jobId: string, refunded: number): string {
      return `Cancelled \`${escape(jobId.slice(0, 8))}\`. ${refunded > 0 ? `${plural(refunded, 'credit')} refunded.` : 'Nothing had been charged.'}`;
    },
    /** The context line of a cancelled job's message; `name` is plain text (escaped here) so nobody is pinged. */
    cancelledBy(name: string | undefined, byRequester: boolean, refunded: number): string {
      const who = name === undefined ? (byRequester ? 'the person who asked' : 'a workspace admin') : `@${escape(name)}`;
      return `Cancelled by ${who} — ${refunded > 0 ? `${plural(refunded, 'credit')} refunded` : 'nothing had been charged'}.`;
    },
  },

  show: {
    usage: 'Use `/imagine show <id>` with an id from `/imagine jobs`.',
    unknown(reference: string): string {
      return `There is no job \`${escape(truncate(reference, 40))}\` I can show here. \`/imagine jobs\` lists your jobs with their ids.`;
    },
    /** A job without an image to post again, by what became of it. */
    noImage(state: JobState): string {
      if (state === 'failed') return 'That job made no image (it failed or was cancelled), so there is nothing to show.';
      if (state === 'delivered') return 'No copy of that image was kept (this bot keeps none, or kept none yet when it was posted), so it can’t be shown again. `/imagine jobs` links to where it was posted.';
      return 'That image is not finished yet. It will be posted in its thread when it is.';
    },
    /** The message the image is shown under; `shownBy` is plain text so nobody is pinged. */
    line(input: { shownBy: string | undefined; prompt: string; aspectRatio: string | undefined; resolution: string }): string {
      const parts = [`:frame_with_picture: ${input.shownBy === undefined ? 'Shown again' : `@${escape(input.shownBy)} showed again`}: ${escape(truncate(input.prompt, 600))}`];
      if (input.aspectRatio) parts.push(input.aspectRatio);
      parts.push(input.resolution);
      return parts.join(' · ');
    },
    comment(jobId: string): string {
      return `Job \`${escape(jobId.slice(0, 8))}\`, as it was posted.`;
    },
  },

  settings: {
    usage: settingsUsage,
    /** `/imagine settings show`: what applies here, and where each value comes from. */
    overview(settings: CommunitySettings, defaults: OperatorDefaults, changes: readonly SettingsChangeRecord[]): string {
      const here = (value: string) => `${value} _(set here)_`;
      const bot = (value: string) => `${value} _(bot default)_`;
      const lines = [
        '*Settings of this workspace* (only you can see this)',
        `• Provider: ${settings.provider ? here(`\`${settings.provider}\``) : bot(`\`${defaults.provider}\``)}`,
        `• Model: ${settings.model ? here(`\`${escape(settings.model)}\``) : bot(defaults.model ? `\`${escape(defaults.model)}\`` : 'the provider’s own')}`,
        `• Aspect ratio: ${settings.aspectRatio ? here(settings.aspectRatio) : bot('the model’s own')}`,
        `• Resolution: ${settings.resolution ? here(settings.resolution) : bot('1K')}`,
        `• Daily credits per member: ${settings.dailyCredits !== undefined ? here(String(settings.dailyCredits)) : bot(String(defaults.dailyCredits))}`,
        `• Channels: ${settings.allowedChannels.length === 0 ? 'everywhere' : `only ${channelList(settings.allowedChannels)}`}`,
        `• Blocked terms of this workspace: ${settings.blockedTerms.length} (\`/imagine admin block list\`)`,
        'A request’s own options (`--ar`, `--res`, `--provider`, `--model`) always win over the defaults.',
      ];
      if (changes.length > 0) {
        lines.push('*Latest changes*');
        for (const record of changes) lines.push(`• ${slackDate(record.createdAt)} ${userLink(record.actorKey)} ${this.describe(record.change)}`);
      }
      return lines.join('\n');
    },
    /** One change in words (`set the default resolution to 2K`). */
    describe(change: SettingsChange): string {
      switch (change.setting) {
        case 'provider':
        case 'model':
        case 'aspectRatio':
        case 'resolution':
        case 'dailyCredits':
          return change.value === null ? `cleared the ${settingNames[change.setting]}` : `set the ${settingNames[change.setting]} to \`${escape(String(change.value))}\``;
        case 'roleCredits':
          return change.value === null ? `cleared the credits of role ${escape(change.roleId)}` : `gave role ${escape(change.roleId)} ${change.value} daily credits`;
        case 'allowChannel':
          return `allowed ${channelLink(change.channelId)}`;
        case 'disallowChannel':
          return `stopped allowing ${channelLink(change.channelId)}`;
        case 'blockTerm':
          return `blocked "${escape(truncate(change.entry, 80))}"`;
        case 'unblockTerm':
          return `unblocked "${escape(truncate(change.entry, 80))}"`;
        case 'reset':
          return 'reset the settings';
      }
    },
    /** The answer to a change that was made. */
    changed(change: SettingsChange): string {
      return `:white_check_mark: Done: ${communityText.settings.describe(change)}. \`/imagine settings show\` shows everything.`;
    },
    channelsCleared(count: number): string {
      return count === 0 ? 'The bot is already allowed everywhere.' : `:white_check_mark: Done: the bot may be used everywhere again (${plural(count, 'channel')} removed from the list).`;
    },
    badProvider(value: string, choices: readonly string[]): string {
      return `There is no provider \`${escape(value)}\`; choose one of: ${choices.join(', ')}.`;
    },
    badAspect(value: string, choices: readonly string[]): string {
      return `\`${escape(value)}\` is not an aspect ratio; use one of: ${choices.join(', ')}.`;
    },
    badResolution(value: string): string {
      return `\`${escape(value)}\` is not a resolution; use 1K, 2K or 4K.`;
    },
    badCredits(value: string, maximum: number): string {
      return `\`${escape(value)}\` is not a number of credits; use a whole number from 0 to ${maximum}, or \`clear\`.`;
    },
    /** Slack sent the channel as plain text (`#general`), which carries no id. */
    badChannel(value: string): string {
      return `\`${escape(value)}\` is not a channel I can recognise. Pick it from Slack’s suggestions after typing #, or run the command in that channel without naming one.`;
    },
  },

  block: {
    usage: blockUsage,
    added(entry: string): string {
      return `:white_check_mark: Blocked "${escape(entry)}" in this workspace. Prompts that break it are refused before anything is sent or charged.`;
    },
    removed(entry: string): string {
      return `:white_check_mark: "${escape(entry)}" is no longer blocked in this workspace.`;
    },
    list(entries: readonly string[]): string {
      if (entries.length === 0) return 'This workspace blocks no terms of its own (the bot’s operator may block some everywhere).';
      return [`*Blocked in this workspace* (${plural(entries.length, 'entry', 'entries')}; the operator may block more everywhere)`, ...entries.map((entry) => `• \`${escape(entry.replaceAll('`', "'"))}\``)].join('\n');
    },
  },

  moderation: {
    none: 'Nothing has been blocked or refused in this workspace.',
    heading(count: number): string {
      return `*Moderation log of this workspace*, latest ${plural(count, 'entry', 'entries')} first (only you can see this)`;
    },
    line(event: ModerationEvent): string {
      const where = event.channelId === null ? '' : ` in ${channelLink(event.channelId)}`;
      const prompt = escape(truncate(event.prompt.replace(/\s+/g, ' ').trim(), 120));
      const why =
        event.kind === 'blocked'
          ? `blocked by "${escape(truncate(event.detail, 80))}" (${event.source === 'server' ? 'this workspace’s list' : 'the operator’s list'})`
          : `refused by \`${escape(event.source)}\`: ${escape(truncate(event.detail, 200))}`;
      return `• ${slackDate(event.createdAt)} · ${userLink(event.requesterKey)}${where} · "${prompt}" · ${why}`;
    },
  },
} as const;
