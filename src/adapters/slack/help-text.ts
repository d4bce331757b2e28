// The `/imagine help` answer, filled in with this bot's providers, models and credit costs.
import type { ImagineService } from '../../core/imagine-service.ts';
import { resolutions } from '../../core/request.ts';
import { slackText } from './messages.ts';

/** Help for the providers configured on this bot. */
export function helpText(service: ImagineService): string {
  const costs = Object.fromEntries(resolutions.map((resolution) => [resolution, service.costOf({ resolution })]));
  const providers = service.providers().map((choice) => ({
    id: choice.id,
    models: choice.models.map((model) => model.id),
    isDefault: choice.id === service.defaultProvider,
  }));
  return slackText.help(providers, costs);
}
