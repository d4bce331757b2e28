// Logging: secrets are censored in structured fields and in free text.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../src/log.ts';

function capture(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, destination };
}

describe('logger', () => {
  it('redacts keys, tokens and authorization headers', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination: destination as never });
    logger.info({ apiKey: 'sk-secret-1', config: { discord: { token: 'discord-token-2' } }, headers: { authorization: 'Bearer abc' } }, 'hello');
    logger.error({ err: new Error('request failed with Authorization: Bearer sk-live-333') }, 'boom Bearer xyz-444');
    const output = lines.join('');
    for (const secret of ['sk-secret-1', 'discord-token-2', 'Bearer abc', 'sk-live-333', 'xyz-444']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain('[Redacted]');
  });

  it('scrubs bearer tokens and key shapes inside text', () => {
    expect(scrubSecrets('Bearer abc.def and xoxb-123-456 and sk-abcdef')).toBe('Bearer [Redacted] and xoxb-[Redacted] and sk-[Redacted]');
  });
});
