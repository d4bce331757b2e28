// Turns job summaries, progress, results and failures into Discord message text and buttons.
import { ActionRowBuilder, ButtonBuilder, ButtonStyle, escapeMarkdown } from 'discord.js';
import type { JobCancelledNotice, JobFailure, JobProgress, JobResult, JobSummary, QuotaBalance } from '../../core/delivery.ts';
import type { ProviderId } from '../../core/request.ts';
import { buttonId, cancelButtonId } from './custom-ids.ts';
import { explainError, text } from './messages.ts';

/** Display name of a provider id ("Xenodia"). */
export type ProviderNames = (id: ProviderId) => string;

/** Discord refuses content over 2,000 characters; the prompt is the part that gets shortened. */
const maxPromptShown = 1500;

/** The prompt as a block quote, shortened when long. Mentions in it never ping (allowedMentions is empty). */
export function quotePrompt(prompt: string): string {
  const shown = prompt.length > maxPromptShown ? `${prompt.slice(0, maxPromptShown)}…` : prompt;
  return shown.split('\n').map((line) => `> ${line}`).join('\n');
}

/** The prompt on one line, shortened to `maximum`, and escaped so its markdown cannot break a list or a caption. */
export function escapedInlinePrompt(prompt: string, maximum: number): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return escapeMarkdown(line.length > maximum ? `${line.slice(0, maximum)}…` : line);
}

/** Prompts echoed inside a sentence are kept short and on one line. */
const maxInlinePrompt = 300;

/** The message that ends a request the bot stopped before it became a job (no job, so no settings to show). */
export function renderInterrupted(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return text.interrupted(line.length > maxInlinePrompt ? `${line.slice(0, maxInlinePrompt)}…` : line);
}

/** "Xenodia · nano-banana-pro · 16:9 · 2K · 2 reference images"; after a failover "nanobananapro.cloud instead of Xenodia · …". */
export function describeSettings(summary: JobSummary, names: ProviderNames): string {
  const provider = summary.failedOverFrom === undefined
    ? names(summary.provider)
    : `${names(summary.provider)} ${text.insteadOf(names(summary.failedOverFrom))}`;
  const parts = [provider, summary.model, summary.aspectRatio, summary.resolution];
  if (summary.referenceCount > 0) parts.push(text.referenceCount(summary.referenceCount));
  return parts.filter((part): part is string => part !== undefined).join(' · ');
}

function header(summary: JobSummary, names: ProviderNames): string {
  return `${quotePrompt(summary.prompt)}\n-# ${describeSettings(summary, names)}`;
}

/** Credits left as users read them ("17 credits", "unlimited credits"). */
export function describeRemaining(balance: QuotaBalance): string {
  return balance.unlimited || !Number.isFinite(balance.remaining) ? text.unlimited : text.remainingCredits(balance.remaining);
}

/** The pending message while a job waits or runs. */
export function renderProgress(progress: JobProgress, names: ProviderNames): string {
  const state =
    progress.phase === 'queued'
      ? text.queued(progress.queuePosition, progress.queueReason)
      : progress.phase === 'submitted'
        ? text.submitted(names(progress.summary.provider))
        : text.running(progress.percent);
  const elapsed = text.elapsed(Math.round(progress.elapsedMs / 1000));
  return `${header(progress.summary, names)}\n${state} · ${elapsed}`;
}

/** The Cancel button under a pending message, while the job waits or runs. */
export function cancelButtons(jobId: string): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(cancelButtonId(jobId)).setLabel(text.buttons.cancel).setEmoji('✖️').setStyle(ButtonStyle.Danger),
  );
}

/** The message that ends a cancelled job: who cancelled it (a mention sent with mentions off, so nobody is pinged) and the refund. */
export function renderCancelled(notice: JobCancelledNotice, names: ProviderNames): string {
  return `${header(notice.summary, names)}\n${text.cancelled(notice.cancelledByUserId, notice.refunded)}`;
}

/** The Reroll / Remix / 4K row under a result. */
export function resultButtons(jobId: string, canUpscale: boolean): ActionRowBuilder<ButtonBuilder> {
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(buttonId('reroll', jobId)).setLabel(text.buttons.reroll).setEmoji('🎲').setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(buttonId('remix', jobId)).setLabel(text.buttons.remix).setEmoji('🎨').setStyle(ButtonStyle.Secondary),
  );
  if (canUpscale) {
    row.addComponents(new ButtonBuilder().setCustomId(buttonId('upscale', jobId)).setLabel(text.buttons.upscale).setStyle(ButtonStyle.Primary));
  }
  return row;
}

/** Text and buttons of a finished image. */
export function renderResult(result: JobResult, names: ProviderNames): { content: string; components: Array<ActionRowBuilder<ButtonBuilder>> } {
  const seconds = Math.round(result.elapsedMs / 1000);
  const content = [
    header(result.summary, names),
    `-# ${text.resultLine(result.summary.jobId, result.cost, describeRemaining(result.balance))} · ${text.elapsed(seconds)}`,
  ].join('\n');
  return { content, components: [resultButtons(result.summary.jobId, result.canUpscale)] };
}

/** Text of a failed job, with the refund, and a retry button when trying again can help. */
export function renderFailure(failure: JobFailure, names: ProviderNames): { content: string; components: Array<ActionRowBuilder<ButtonBuilder>> } {
  const refund = failure.refunded > 0 ? text.refunded(failure.refunded) : text.nothingCharged;
  const content = `${header(failure.summary, names)}\n${text.failed(explainError(failure.error.code, failure.error.message))}\n${refund}`;
  const components = failure.error.retryable
    ? [new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId(buttonId('reroll', failure.summary.jobId)).setLabel(text.buttons.retry).setEmoji('🔁').setStyle(ButtonStyle.Secondary),
      )]
    : [];
  return { content, components };
}
