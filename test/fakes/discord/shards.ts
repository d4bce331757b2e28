// Discord's shard arithmetic for the fake gateway: which shard holds a guild, and guild ids chosen to land on a shard.
import { nextSnowflake } from './ids.ts';

/** A shard as IDENTIFY names it: `[shard_id, num_shards]`. */
export type ShardPair = [id: number, count: number];

/** The shard holding `guildId` out of `count`: `(guild_id >> 22) % count`; events without a guild (DMs) go to shard 0. */
export function shardOf(guildId: string | undefined, count: number): number {
  if (guildId === undefined) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/**
 * A fresh snowflake that lands on `shardId` of `count`. The shard comes from the timestamp bits, so the
 * timestamp is moved back a few milliseconds; the counter bits keep it unique.
 */
export function snowflakeOnShard(shardId: number, count: number): string {
  const id = BigInt(nextSnowflake());
  const offset = BigInt((shardOf(id.toString(), count) - shardId + count) % count);
  return (id - (offset << 22n)).toString();
}

/** Reads IDENTIFY's `shard` field; a client that sends none runs the only shard, `[0, 1]`. */
export function shardOfIdentify(identify: Record<string, unknown>): ShardPair | undefined {
  const shard = identify['shard'];
  if (shard === undefined) return [0, 1];
  if (!Array.isArray(shard) || shard.length !== 2) return undefined;
  const [id, count] = shard as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(count)) return undefined;
  const pair: ShardPair = [id as number, count as number];
  return pair[1] >= 1 && pair[0] >= 0 && pair[0] < pair[1] ? pair : undefined;
}
