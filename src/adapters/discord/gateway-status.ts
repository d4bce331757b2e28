// Whether the Discord gateway is usable: every shard this process runs has received its READY and guilds.
import { Status, type Client } from 'discord.js';

/**
 * Undefined when every shard of `client` is ready; otherwise which are not ("gateway not connected",
 * or "shards 1, 3 not connected" when the process runs several). A client that never connected or was
 * destroyed has no shards, and counts as not connected.
 */
export function gatewayProblem(client: Client): string | undefined {
  const shards = [...client.ws.shards.values()];
  if (shards.length === 0) return 'gateway not connected';
  const down = shards.filter((shard) => shard.status !== Status.Ready).map((shard) => shard.id).sort((left, right) => left - right);
  if (down.length === 0) return undefined;
  if (shards.length === 1) return 'gateway not connected';
  return `${down.length === 1 ? 'shard' : 'shards'} ${down.join(', ')} not connected`;
}
