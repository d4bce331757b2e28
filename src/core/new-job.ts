// Turning a user's generation request into the job the store creates: parsed, given the operator's model, validated against its provider, and priced.
import { operatorModelFor, type Config } from '../config.ts';
import type { Clock } from './clock.ts';
import { invalidRequest } from './errors.ts';
import { requesterKey } from './imagine-service.ts';
import type { NewJob } from './job-store.ts';
import type { ImageProvider } from './provider.ts';
import type { QuotaPolicy } from './quota-policy.ts';
import { generationRequestSchema, type GenerationRequest, type ProviderId } from './request.ts';
import { validateRequest } from './validate-request.ts';

/** What building a job needs; owned by the runner. */
export interface NewJobContext {
  /** Configured providers by id. */
  providers: ReadonlyMap<ProviderId, ImageProvider>;
  /** The default provider and the operator's model for it (PROVIDER, PROVIDER_MODEL). */
  config: Pick<Config, 'defaultProvider' | 'defaultModel'>;
  /** Prices the image and tells admins, who hold nothing against a limit. */
  policy: QuotaPolicy;
  /** The job's creation time. */
  clock: Clock;
  /** A new job id; called only once the request is valid, so a refusal consumes none. */
  createJobId(): string;
}

/** The provider `id`, or an `invalid_request` naming the configured ones. */
function providerOrThrow(providers: ReadonlyMap<ProviderId, ImageProvider>, id: ProviderId): ImageProvider {
  const provider = providers.get(id);
  if (provider) return provider;
  const available = [...providers.keys()].join(', ');
  throw invalidRequest(`The provider "${id}" is not configured on this bot; available: ${available}.`);
}

/** The request checked against its schema (adapters build it from user input), or an `invalid_request` listing every problem. */
function parseRequest(request: GenerationRequest): GenerationRequest {
  const parsed = generationRequestSchema.safeParse(request);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`);
  throw invalidRequest(`The request is malformed: ${problems.join('; ')}.`);
}

/**
 * The job `input` becomes, under `dedupeKey` when given; throws `invalid_request` for what cannot be
 * made, before the store is touched, so a refused request reserves nothing and reaches no provider.
 * Blocked terms and allowed channels are checked before this, by the community gate.
 */
export function newJobFor(context: NewJobContext, input: GenerationRequest, dedupeKey: string | undefined): NewJob {
  const key = requesterKey(input.requester);
  const parsedRequest = parseRequest(input);
  // The operator's PROVIDER_MODEL applies when the request names no model for the default provider.
  const operatorModel = operatorModelFor(context.config, parsedRequest.provider);
  const request = parsedRequest.model === undefined && operatorModel ? { ...parsedRequest, model: operatorModel } : parsedRequest;
  const provider = providerOrThrow(context.providers, request.provider);
  const validated = validateRequest(request, provider.id, provider.capabilities);
  const now = context.clock.now();
  return {
    id: context.createJobId(),
    ...(dedupeKey === undefined ? {} : { dedupeKey }),
    requesterKey: key,
    ...(request.requester.communityId === undefined ? {} : { communityKey: `${request.requester.platform}:${request.requester.communityId}` }),
    request: {
      prompt: validated.prompt,
      references: validated.references,
      ...(validated.aspectRatio === undefined ? {} : { aspectRatio: validated.aspectRatio }),
      resolution: validated.resolution,
      outputFormat: validated.outputFormat,
      provider: provider.id,
      model: validated.model,
      // Only the bot's current default may move: a request whose default has since changed stays where it was asked.
      ...(request.providerFromDefault === true && provider.id === context.config.defaultProvider ? { providerFromDefault: true } : {}),
      requester: request.requester,
    },
    origin: request.origin,
    cost: context.policy.costOf(validated.resolution),
    unlimited: context.policy.isAdmin(key),
    now,
  };
}
