// Remix through a modal: opened by the Remix button or the Remix message shortcut, submitted into the source thread.
import type { App, ViewResponseAction } from '@slack/bolt';
import { toBotError } from '../../core/errors.ts';
import type { Reference } from '../../core/request.ts';
import { placeOfClick } from './action-handlers.ts';
import { actionIds, callbackIds, jobIdFromBlocks } from './blocks.ts';
import { DeadlineAck } from './deadline-ack.ts';
import { downloadSlackFile, downloadSlackFiles, fetchPreviousResult } from './file-intake.ts';
import { intakePayloadVersion, recordedFile, slackFileFrom, type RemixModalPayload } from './intake-payload.ts';
import { resolveSettings, settingsOf } from './job-settings.ts';
import { slackText } from './messages.ts';
import { tellUser } from './notify.ts';
import { parseImagineText } from './parse-command.ts';
import { readRemixSource, readSubmission, remixBlockIds, remixModal, type RemixSource } from './remix-modal.ts';
import { claimRequest, replyTarget, runRequest, type RequestContext } from './request-intake.ts';
import { slackRequester, type SlackRuntime } from './runtime.ts';
import { imageFiles, readMessage, stringField } from './slack-payloads.ts';

/** Opens the modal; the trigger id expires about 3 s after the click, so this runs right after the ack. */
async function openModal(runtime: SlackRuntime, triggerId: string, source: RemixSource, prompt: string | undefined, userId: string): Promise<void> {
  try {
    await runtime.client.views.open({ trigger_id: triggerId, view: remixModal(source, prompt) });
  } catch (error) {
    runtime.logger.warn({ err: error }, 'could not open the remix modal');
    await tellUser(runtime.client, { channelId: source.channelId, userId, threadTs: source.threadTs, ...(source.responseUrl ? { responseUrl: source.responseUrl } : {}) }, slackText.startFailed, runtime.logger);
  }
}

/** Starts the remix of a recorded modal submission (live, or after a takeover); returns a refusal text when it did not start. */
export async function startRemix(runtime: SlackRuntime, payload: RemixModalPayload, context: RequestContext): Promise<string | undefined> {
  const { service, launcher } = runtime;
  const parsed = parseImagineText(payload.prompt, { keywords: false, emptyPromptMessage: slackText.modal.emptyPrompt });
  if (parsed.kind !== 'generate') return parsed.kind === 'invalid' ? parsed.message : slackText.modal.emptyPrompt;
  const previous = payload.jobId ? await service.getJob(payload.jobId) : undefined;
  if (payload.jobId && !previous) return slackText.jobGone;
  const resolved = resolveSettings(service, parsed.flags, previous ? settingsOf(previous) : undefined);
  if ('error' in resolved) return resolved.error;
  // Before downloading anything: a refused request costs no transfer.
  const screened = await launcher.screen({ requester: payload.requester, channelId: payload.channelId, threadTs: payload.threadTs, prompt: parsed.prompt });
  if (screened !== undefined) return screened;
  const refusal = await launcher.checkCredits(payload.requester, resolved.settings);
  if (refusal) return refusal;
  let references: Reference[];
  try {
    references = [
      ...(previous ? [await fetchPreviousResult(previous, runtime.intake)] : []),
      ...(await Promise.all(payload.sourceFileIds.map((id) => downloadSlackFile({ id, name: id, mimetype: undefined, urlPrivateDownload: undefined }, runtime.intake)))),
      ...(await downloadSlackFiles(payload.files.map(slackFileFrom), runtime.intake)),
    ];
  } catch (error) {
    const failure = toBotError(error);
    return slackText.refusal(failure.code, failure.message);
  }
  const outcome = await launcher.launch({
    kind: 'remix',
    requester: payload.requester,
    channelId: payload.channelId,
    threadTs: payload.threadTs,
    prompt: parsed.prompt,
    references,
    settings: resolved.settings,
    screened: true,
    dedupeKey: context.dedupeKey,
    ...(context.statusTs ? { statusTs: context.statusTs } : {}),
  });
  return outcome.kind === 'refused' ? outcome.text : undefined;
}

/** Registers the Remix button, the Remix message shortcut and the modal's submission. */
export function registerRemixHandlers(app: App, runtime: SlackRuntime): void {
  const { service, logger } = runtime;

  app.action(actionIds.remix, async ({ ack, body, action, respond }) => {
    await ack();
    const jobId = stringField(action, 'value') ?? '';
    const job = await service.getJob(jobId);
    const triggerId = stringField(body, 'trigger_id');
    const place = placeOfClick(job, body, action);
    if (!job || !place.channelId || !triggerId) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: slackText.jobGone });
      return;
    }
    const responseUrl = stringField(body, 'response_url');
    const source: RemixSource = {
      jobId,
      channelId: place.channelId,
      threadTs: place.threadTs ?? '',
      fileIds: [],
      ...(responseUrl ? { responseUrl } : {}),
    };
    await openModal(runtime, triggerId, source, job.request.prompt, body.user.id);
  });

  app.shortcut(callbackIds.remixShortcut, async ({ ack, shortcut, respond }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const message = readMessage(shortcut.message);
    if (!message) return;
    // On one of the bot's own status messages, the shortcut remixes that job's result.
    const ownJobId = message.user === runtime.botUserId ? jobIdFromBlocks(message.blocks) : undefined;
    const ownJob = ownJobId === undefined ? undefined : await service.getJob(ownJobId);
    const images = imageFiles(message.files);
    if (ownJob?.state !== 'delivered' && images.length === 0) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: slackText.shortcutNoImages });
      return;
    }
    const source: RemixSource = {
      ...(ownJob?.state === 'delivered' ? { jobId: ownJob.id } : {}),
      channelId: shortcut.channel.id,
      threadTs: message.threadTs ?? message.ts,
      fileIds: images.map((file) => file.id),
      responseUrl: shortcut.response_url,
    };
    await openModal(runtime, shortcut.trigger_id, source, ownJob?.state === 'delivered' ? ownJob.request.prompt : undefined, shortcut.user.id);
  });

  app.view(callbackIds.remixModal, async ({ ack, body, view }) => {
    const reply = new DeadlineAck<ViewResponseAction>((payload) => ack(payload), runtime.ackDeadlineMs);
    const source = readRemixSource(view.private_metadata);
    const submission = readSubmission(view.state.values);
    if (!source) {
      await reply.send();
      return;
    }
    if (submission.prompt.trim() === '') {
      await reply.send({ response_action: 'errors', errors: { [remixBlockIds.prompt]: slackText.modal.emptyPrompt } });
      return;
    }
    const payload: RemixModalPayload = {
      version: intakePayloadVersion,
      kind: 'remix-modal',
      requester: slackRequester(body.user.id, body.team?.id),
      ...(source.jobId ? { jobId: source.jobId } : {}),
      channelId: source.channelId,
      threadTs: source.threadTs,
      sourceFileIds: source.fileIds,
      ...(source.responseUrl ? { responseUrl: source.responseUrl } : {}),
      prompt: submission.prompt,
      files: submission.files.map(recordedFile),
    };
    const dedupeKey = `slack:view:${view.id}`;
    if (!(await claimRequest(runtime, { dedupeKey, prompt: submission.prompt, payload }))) {
      await reply.send();
      return;
    }
    const answer = async (text: string) => {
      // The same view may be submitted again once the user has fixed what was refused.
      await service.forgetEvent(dedupeKey).catch((error: unknown) => logger.warn({ err: error }, 'could not forget a view submission'));
      // While the modal is still open the reason is shown under the prompt (plain text there, so unescaped, and a
      // channel link, which plain text cannot render, written as its id).
      const plain = text
        .replace(/<#([A-Z0-9]+)(?:\|[^>]*)?>/g, '#$1')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
      if (await reply.send({ response_action: 'errors', errors: { [remixBlockIds.prompt]: plain.slice(0, 1900) } })) return;
      await tellUser(runtime.client, replyTarget(payload), text, logger);
    };
    await runRequest(runtime, { dedupeKey }, { answer }, (context) => startRemix(runtime, payload, context));
    await reply.send();
  });
}
