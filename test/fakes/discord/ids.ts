// Snowflake-shaped ids for the fake Discord: numeric strings that grow with time, as discord.js expects.

const discordEpoch = 1_420_070_400_000n;
let counter = 0n;

/** A new unique snowflake string: milliseconds since Discord's epoch, then a 22-bit counter. */
export function nextSnowflake(): string {
  counter = (counter + 1n) & 0x3fffffn;
  const timestamp = BigInt(Date.now()) - discordEpoch;
  return ((timestamp << 22n) | counter).toString();
}

/** A random interaction token (Discord's are long opaque strings). */
export function nextToken(): string {
  return `fake-token-${crypto.randomUUID().replaceAll('-', '')}`;
}
