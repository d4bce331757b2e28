// The choices slash-command options offer, derived from the configured providers (only what some model supports).
import type { ProviderChoice } from '../src/core/imagine-service.ts';
import { aspectRatios, resolutions } from '../src/core/request.ts';

/** Discord accepts at most 25 choices per option; beyond that the option stays free text. */
export const maxChoices = 25;

/** A choice as Discord's option builders take it. */
export interface OptionChoice {
  /** What the user sees in the picker. */
  name: string;
  /** What the bot receives. */
  value: string;
}

/** Values every configured model offers somewhere, in the canonical order of `order`. */
function supported<T extends string>(order: readonly T[], offered: Iterable<T>): T[] {
  const set = new Set(offered);
  return order.filter((value) => set.has(value));
}

/** Each value as its own name, or no choices at all when there are too many. */
export function choicesOf(values: readonly string[]): OptionChoice[] {
  return values.length > maxChoices ? [] : values.map((value) => ({ name: value, value }));
}

/** The choices of the four request options. */
export interface OfferedChoices {
  /** Configured providers by display name, default first. */
  providers: OptionChoice[];
  /** Every configured model id (none when more than Discord's 25). */
  models: OptionChoice[];
  /** Aspect ratios some configured model supports, in canonical order. */
  aspects: OptionChoice[];
  /** Resolutions some configured model supports. */
  resolutions: OptionChoice[];
}

/** What the provider, model, aspect and resolution options offer (the same on /imagine and /imagine-settings defaults). */
export function offeredChoices(providers: readonly ProviderChoice[]): OfferedChoices {
  const models = providers.flatMap((provider) => provider.models);
  return {
    providers: providers.slice(0, maxChoices).map((provider) => ({ name: provider.displayName, value: provider.id })),
    models: choicesOf([...new Set(models.map((model) => model.id))]),
    aspects: choicesOf(supported(aspectRatios, models.flatMap((model) => model.aspectRatios))),
    resolutions: choicesOf(supported(resolutions, models.flatMap((model) => model.resolutions))),
  };
}
