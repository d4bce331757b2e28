// Which queue moves are told to users: each near the front, every tenth place further back.
import { describe, expect, it } from 'vitest';
import { worthAnnouncing } from '../../src/core/queue-announcements.ts';

describe('queue announcements', () => {
  it('tells every move in the first ten places and every tenth place behind them', () => {
    const told = Array.from({ length: 60 }, (_, index) => index + 1).filter((position) => worthAnnouncing({ position, reason: 'provider_limit' }));
    expect(told).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60]);
  });

  it('costs under a sixth of the edits when 500 jobs wait and each freed slot moves all of them', () => {
    let edits = 0;
    for (let waiting = 500; waiting > 1; waiting -= 1) {
      for (let position = 1; position < waiting; position += 1) if (worthAnnouncing({ position, reason: 'user_limit' })) edits += 1;
    }
    const everyMove = (500 * 499) / 2;
    expect(edits).toBeLessThan(everyMove / 6);
  });
});
