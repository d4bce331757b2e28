// The `imagine` command-line adapter: one generation through the same core, images written to --out.
import { mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { apiKeyVariable, ConfigError, loadConfig, operatorModelFor } from '../config.ts';
import { systemClock } from '../core/clock.ts';
import { isBotError, toBotError } from '../core/errors.ts';
import { awaitTask, fetchResultImage } from '../core/generation-steps.ts';
import { extensionFor } from '../core/image-type.ts';
import { createPollScheduler } from '../core/poll-scheduler.ts';
import { generationRequestSchema } from '../core/request.ts';
import { validateRequest } from '../core/validate-request.ts';
import { createLogger } from '../log.ts';
import { createProviders } from '../providers/registry.ts';
import { submitFromCli } from './cli-submission.ts';
import { loadReferences, parseImagineArguments, usage } from './imagine-args.ts';

const exitCodes = { success: 0, failure: 1, invalid: 2, interrupted: 130 } as const;

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A one-line progress indicator, only when stderr is a terminal (never in pipes or logs). */
function createProgressLine(startedAt: number): { update(text: string): void; clear(): void } {
  const interactive = process.stderr.isTTY === true;
  return {
    update(text) {
      if (!interactive) return;
      const seconds = Math.round((Date.now() - startedAt) / 1000);
      process.stderr.write(`\r\x1b[2K${text} · ${seconds}s`);
    },
    clear() {
      if (interactive) process.stderr.write('\r\x1b[2K');
    },
  };
}

function slugOf(prompt: string): string {
  const slug = prompt.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return slug || 'image';
}

async function main(argv: string[]): Promise<number> {
  const startedAt = Date.now();
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const options = parseImagineArguments(argv);
  if (options.help) {
    say(usage);
    return exitCodes.success;
  }
  const providerId = options.provider ?? config.defaultProvider;
  const providers = createProviders(config);
  const primary = providers.get(providerId);
  if (!primary) {
    const variable = providerId === 'mock' ? '' : apiKeyVariable(providerId);
    say(`The provider "${providerId}" is not configured: set ${variable} (or use --provider mock to work offline).`);
    return exitCodes.invalid;
  }
  const request = generationRequestSchema.parse({
    prompt: options.prompt,
    references: await loadReferences(options.referenceArguments),
    ...(options.aspectRatio === undefined ? {} : { aspectRatio: options.aspectRatio }),
    resolution: options.resolution,
    outputFormat: options.outputFormat,
    provider: providerId,
    model: options.model ?? operatorModelFor(config, providerId),
    requester: { platform: 'cli', userId: userInfo().username },
    origin: { platform: 'cli' },
  });
  const primaryRequest = validateRequest(request, primary.id, primary.capabilities);

  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  process.once('SIGINT', onInterrupt);
  const scheduler = createPollScheduler({ clock: systemClock, maxConcurrentPollsPerProvider: 1 });
  const progress = createProgressLine(startedAt);
  try {
    progress.update(`${primary.id}/${primaryRequest.model}: submitting`);
    const { provider, request: providerRequest, outcome } = await submitFromCli({
      primary: { provider: primary, request: primaryRequest },
      providerNamed: options.provider !== undefined,
      config,
      providers,
      clock: systemClock,
      logger,
      signal: abort.signal,
      say: (message) => {
        progress.clear();
        say(message);
      },
    });
    const images =
      outcome.kind === 'completed'
        ? outcome.images
        : await awaitTask(provider, outcome.task, {
            scheduler,
            resolution: providerRequest.resolution,
            deadlineAt: outcome.task.submittedAt + config.jobs.deadlineMs,
            signal: abort.signal,
            ...(outcome.hint === undefined ? {} : { hint: outcome.hint }),
            onProgress: (update) =>
              progress.update(`${provider.id}/${providerRequest.model}: ${update.phase}${update.progress === undefined ? '' : ` ${Math.round(update.progress)}%`}`),
          });
    progress.update(`${provider.id}/${providerRequest.model}: downloading`);
    const outDirectory = resolve(options.outDirectory);
    await mkdir(outDirectory, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (const [index, resultImage] of images.entries()) {
      const image = await fetchResultImage([resultImage], { outputFormat: providerRequest.outputFormat, signal: abort.signal });
      const suffix = images.length > 1 ? `-${index + 1}` : '';
      const path = join(outDirectory, `${slugOf(providerRequest.prompt)}-${stamp}${suffix}.${extensionFor(image.mimeType)}`);
      await writeFile(path, image.data);
      progress.clear();
      process.stdout.write(`${path}\n`);
    }
    return exitCodes.success;
  } catch (error) {
    progress.clear();
    if (abort.signal.aborted) {
      say('Interrupted.');
      return exitCodes.interrupted;
    }
    const failure = toBotError(error);
    logger.debug({ err: error }, 'generation failed');
    say(`Generation failed (${failure.code}): ${failure.message}`);
    return failure.code === 'invalid_request' ? exitCodes.invalid : exitCodes.failure;
  } finally {
    scheduler.stop();
    process.off('SIGINT', onInterrupt);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      say(error.message);
      process.exitCode = exitCodes.invalid;
    } else if (isBotError(error) && error.code === 'invalid_request') {
      say(error.message);
      process.exitCode = exitCodes.invalid;
    } else {
      say(`Unexpected error: ${(error as Error).message}`);
      process.exitCode = exitCodes.failure;
    }
  },
);
