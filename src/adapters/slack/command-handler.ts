// `/imagine`: help, quota, jobs, settings, cancel and admin answer ephemerally, show posts an image again; a prompt is recorded as an intake,
// then posts the status message and starts the job.
import type { App, RespondArguments } from '@slack/bolt';
import { adminWords, answerAdmin } from './admin-command.ts';
import { answerCommunityCommand, parseCommunityCommand } from './community-command.ts';
import { DeadlineAck } from './deadline-ack.ts';
import { decodeSlackText } from './escape.ts';
import { helpText } from './help-text.ts';
import { intakePayloadVersion, recordedSettings, settingsFrom, type CommandPayload } from './intake-payload.ts';
import { resolveSettings } from './job-settings.ts';
import { slackText } from './messages.ts';
import { jobsListing } from './jobs-listing.ts';
import { parseImagineText } from './parse-command.ts';
import { claimRequest, runRequest, type RequestContext } from './request-intake.ts';
import { slackRequester, type SlackRuntime } from './runtime.ts';

/**
 * Starts the job of a recorded `/imagine` (live, or after a takeover). Returns a refusal text when it did
 * not start, and a notice when it started before the channel's budget allowed its status message: the
 * acknowledgement tells the user at once (Slack counts it against no limit) and the message follows.
 */
export async function startCommand(runtime: SlackRuntime, payload: CommandPayload, context: RequestContext): Promise<string | undefined> {
  const outcome = await runtime.launcher.launch({
    kind: 'generate',
    requester: payload.requester,
    channelId: payload.channelId,
    threadTs: undefined,
    prompt: payload.prompt,
    references: [],
    settings: settingsFrom(payload.settings),
    dedupeKey: context.dedupeKey,
    ...(context.statusTs ? { statusTs: context.statusTs } : {}),
  });
  if (outcome.kind === 'refused') return outcome.text;
  return outcome.kind === 'started' && outcome.statusTs === undefined ? slackText.statusFollows : undefined;
}

/**
 * Registers `/imagine`. The request is recorded before the ack; the ack then waits for the job to be
 * stored (so a refusal can be shown in it), but never past `ackDeadlineMs`.
 */
export function registerImagineCommand(app: App, runtime: SlackRuntime): void {
  const { service } = runtime;

  app.command('/imagine', async ({ command, ack, respond }) => {
    const reply = new DeadlineAck<RespondArguments>((payload) => ack(payload), runtime.ackDeadlineMs);
    const tell = async (text: string) => {
      const answer: RespondArguments = { response_type: 'ephemeral', text };
      // Inside the ack while we can; afterwards through the response URL, which also works where the bot is not a member.
      if (!(await reply.send(answer))) await respond({ ...answer, replace_original: false });
    };
    const requester = slackRequester(command.user_id, command.team_id, command.user_name);
    const decoded = decodeSlackText(command.text);
    if (adminWords(decoded) !== undefined) {
      await tell(await answerAdmin(runtime, requester, decoded));
      return;
    }
    const community = parseCommunityCommand(command.text);
    if (community !== undefined) {
      // Cancel and show can take a few seconds: the deadline acks meanwhile, and the answer follows through the response URL.
      const answer = await answerCommunityCommand(runtime, community, { requester, channelId: command.channel_id });
      if (answer === undefined) await reply.send();
      else await tell(answer);
      return;
    }
    const parsed = parseImagineText(decoded);

    if (parsed.kind === 'help') {
      await tell(helpText(service));
      return;
    }
    if (parsed.kind === 'quota') {
      await tell(slackText.quota(await service.balance(requester)));
      return;
    }
    if (parsed.kind === 'jobs') {
      await tell(await jobsListing(runtime, requester));
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
    const payload: CommandPayload = {
      version: intakePayloadVersion,
      kind: 'command',
      requester,
      channelId: command.channel_id,
      prompt: parsed.prompt,
      settings: recordedSettings(resolved.settings),
      ...(command.response_url ? { responseUrl: command.response_url } : {}),
    };
    // Slash commands are not redelivered, but the trigger id still guards against a double submit.
    const dedupeKey = `slack:command:${command.trigger_id}`;
    if (!(await claimRequest(runtime, { dedupeKey, prompt: parsed.prompt, payload }))) {
      await reply.send();
      return;
    }
    await runRequest(runtime, { dedupeKey }, { answer: tell }, (context) => startCommand(runtime, payload, context));
    await reply.send();
  });
}
