// Keeps two undici majors apart: undici 7 (ours) owns the process-wide dispatcher, discord.js gets an agent of its own undici.
// Loaded before discord.js so undici 7 installs the global dispatcher first: discord.js's bundled
// undici 6 would otherwise install its agent, which cannot run undici 7's download interceptors.
import 'undici';
import { createRequire } from 'node:module';
import type { RESTOptions } from 'discord.js';

/** An HTTP agent that can be closed on shutdown. */
export interface ClosableAgent {
  close(): Promise<void>;
}

/**
 * A connection agent from the very undici copy @discordjs/rest uses. Handing discord.js its own
 * agent keeps its multipart uploads off undici 7's dispatcher, which rejects undici 6 form bodies.
 */
export function createDiscordRestAgent(): { agent: RESTOptions['agent']; close(): Promise<void> } {
  const restEntry = createRequire(import.meta.url).resolve('@discordjs/rest');
  const restUndici = createRequire(restEntry)('undici') as { Agent: new () => ClosableAgent };
  const agent = new restUndici.Agent();
  return { agent: agent as unknown as RESTOptions['agent'], close: () => agent.close() };
}
