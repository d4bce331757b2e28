// What every Discord handler receives: the client, the core service, the delivery and intake settings.
import type { Client } from 'discord.js';
import type { ImagineService } from '../../core/imagine-service.ts';
import type { Logger } from '../../log.ts';
import type { IntakeOptions } from './attachments.ts';
import type { DiscordDelivery } from './delivery.ts';
import type { MessageImageCache } from './message-image-cache.ts';
import type { RecentIds } from './recent-ids.ts';
import type { ProviderNames } from './render.ts';

export interface DiscordContext {
  client: Client;
  service: ImagineService;
  delivery: DiscordDelivery;
  logger: Logger;
  names: ProviderNames;
  intake: IntakeOptions;
  /** Images of messages a "Remix" command was used on, kept until its modal is submitted. */
  messageImages: MessageImageCache;
  /** Messages already answered (a replayed MESSAGE_CREATE must not start a second job). */
  handledMessages: RecentIds;
  /** False when the gateway refused MESSAGE_CONTENT: replies are only readable when they mention the bot. */
  messageContent: boolean;
}
