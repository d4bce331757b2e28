// Names of the bot's commands and options, shared by the definitions (commands/) and the handlers.

export const commandNames = {
  imagine: 'imagine',
  quota: 'quota',
  jobs: 'jobs',
  show: 'show',
  admin: 'imagine-admin',
  settings: 'imagine-settings',
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

export const showOptions = { job: 'job' } as const;

export const adminSubcommands = { grant: 'grant', reset: 'reset', balance: 'balance', spend: 'spend', moderation: 'moderation' } as const;

/** `/imagine-admin block add|remove|list`: the server's own blocked terms. */
export const adminBlockGroup = 'block';
export const adminBlockSubcommands = { add: 'add', remove: 'remove', list: 'list' } as const;

export const adminOptions = { user: 'user', amount: 'amount', since: 'since', by: 'by', term: 'term' } as const;

/** `/imagine-settings` subcommands; `channel` is a group of its own. */
export const settingsSubcommands = {
  show: 'show',
  defaults: 'defaults',
  credits: 'credits',
  roleCredits: 'role-credits',
  reset: 'reset',
} as const;

export const settingsChannelGroup = 'channel';
export const settingsChannelSubcommands = { add: 'add', remove: 'remove', clear: 'clear' } as const;

export const settingsOptions = {
  provider: 'provider',
  model: 'model',
  aspect: 'aspect',
  resolution: 'resolution',
  /** On `defaults`: which default to remove (one of `clearableDefaults`). */
  clear: 'clear',
  channel: 'channel',
  daily: 'daily',
  role: 'role',
  credits: 'credits',
  /** On `credits` and `role-credits`: true removes the server's value. */
  remove: 'remove',
} as const;

/** What `/imagine-settings defaults clear:` can name. */
export const clearableDefaults = ['provider', 'model', 'aspect', 'resolution', 'all'] as const;
export type ClearableDefault = (typeof clearableDefaults)[number];
