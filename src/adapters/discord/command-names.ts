// Names of the bot's commands and options, shared by the definitions (commands/) and the handlers.

export const commandNames = {
  imagine: 'imagine',
  quota: 'quota',
  jobs: 'jobs',
  admin: 'imagine-admin',
  /** The message context-menu command (names of those may contain spaces and capitals). */
  remix: 'Remix',
} as const;

export const imagineOptions = {
  prompt: 'prompt',
  /** Attachment options, in the order their images become references. */
  images: ['image', 'image2', 'image3'],
  aspect: 'aspect',
  resolution: 'resolution',
  provider: 'provider',
  model: 'model',
} as const;

export const adminSubcommands = { grant: 'grant', reset: 'reset', balance: 'balance', spend: 'spend' } as const;

export const adminOptions = { user: 'user', amount: 'amount', since: 'since', by: 'by' } as const;
