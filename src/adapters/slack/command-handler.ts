// `/imagine`: help and quota answer ephemerally; a prompt posts the status message and starts the job.
import type { App, RespondArguments } from '@slack/bolt';
import { DeadlineAck } from './deadline-ack.ts';
import { decodeSlackText } from './escape.ts';
import { helpText } from './help-text.ts';
import { resolveSettings } from './job-settings.ts';
import { slackText } from './messages.ts';
import { parseImagineText } from './parse-command.ts';
import { slackRequester, type SlackRuntime } from './runtime.ts';

/** Registers `/imagine`. The ack waits for the job to be stored, but never past `ackDeadlineMs`. */
export function registerImagineCommand(app: App, runtime: SlackRuntime): void {
  const { service, launcher } = runtime;

  app.command('/imagine', async ({ command, ack, respond }) => {
    const reply = new DeadlineAck<RespondArguments>((payload) => ack(payload), runtime.ackDeadlineMs);
    const tell = async (text: string) => {
      const answer: RespondArguments = { response_type: 'ephemeral', text };
      // Inside the ack while we can; afterwards through the response URL, which also works where the bot is not a member.
      if (!(await reply.send(answer))) await respond({ ...answer, replace_original: false });
    };
    const requester = slackRequester(command.user_id, command.team_id, command.user_name);
    const parsed = parseImagineText(decodeSlackText(command.text));

    if (parsed.kind === 'help') {
      await tell(helpText(service));
      return;
    }
    if (parsed.kind === 'quota') {
      await tell(slackText.quota(await service.balance(requester)));
      return;
    }
    if (parsed.kind === 'invalid') {
      await tell(parsed.message);
      return;
    }
    const resolved = resolveSettings(service, parsed.flags);
    if ('error' in resolved) {
      await tell(resolved.error);
      return;
    }
    // Slash commands are not redelivered, but the trigger id still guards against a double submit.
    if (!runtime.recent.claim(`slack:command:${command.trigger_id}`)) {
      await reply.send();
      return;
    }
    const outcome = await launcher.launch({
      kind: 'generate',
      requester,
      channelId: command.channel_id,
      threadTs: undefined,
      prompt: parsed.prompt,
      references: [],
      settings: resolved.settings,
      dedupeKey: `slack:command:${command.trigger_id}`,
    });
    if (outcome.kind === 'refused') await tell(outcome.text);
    else await reply.send();
  });
}
