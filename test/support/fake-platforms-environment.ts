// The environment that points a real bot process at the fake Discord and the fake Slack at once, with the offline mock provider.
import type { FakeDiscord } from '../fakes/discord/fake-discord.ts';
import type { FakeSlack } from '../fakes/slack/fake-slack.ts';

/** DISCORD_*, SLACK_* (Socket Mode) and a quick mock provider; LOG_LEVEL info, so the "claiming work" line shows. */
export function fakePlatformsEnvironment(discord: FakeDiscord, slack: FakeSlack): Record<string, string> {
  return {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    SLACK_BOT_TOKEN: slack.identity.botToken,
    SLACK_APP_TOKEN: slack.identity.appToken,
    SLACK_API_URL: slack.apiUrl,
    MOCK_DELAY_MS: '300',
    LOG_LEVEL: 'info',
  };
}
