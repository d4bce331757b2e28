// Discord REST routes become metric labels without ids or tokens.
import { describe, expect, it } from 'vitest';
import { restMethodName } from '../../../src/adapters/discord/rest-metrics.ts';

describe('restMethodName', () => {
  it('keeps discord.js route templates and Discord words', () => {
    expect(restMethodName('post', '/channels/:id/messages')).toBe('POST /channels/:id/messages');
    expect(restMethodName('PATCH', '/webhooks/:id/:token/messages/@original')).toBe('PATCH /webhooks/:id/:token/messages/@original');
    expect(restMethodName('get', '/gateway/bot')).toBe('GET /gateway/bot');
  });

  it('replaces anything that could be an id or a token, and drops query strings', () => {
    expect(restMethodName('POST', '/interactions/1234/aW50ZXJhY3Rpb246MTIzNDU2Nzg5/callback')).toBe('POST /interactions/:id/:id/callback');
    expect(restMethodName('GET', '/channels/42/messages/7?limit=5')).toBe('GET /channels/:id/messages/:id');
    expect(restMethodName('PUT', '/channels/:id/messages/:id/reactions/%F0%9F%8D%8C/@me')).toBe('PUT /channels/:id/messages/:id/reactions/:id/@me');
    expect(restMethodName('GET', '/users/fake-token-0123abcd')).toBe('GET /users/:id');
  });
});
