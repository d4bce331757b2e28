// The spend table every admin surface shows: sums within a unit, unknown never shown as zero, the since date and grouping options.
import { describe, expect, it } from 'vitest';
import { formatAmount, parseSpendDate, spendQueryFrom, spendTableLines, type SpendRow } from '../../src/core/spend-report.ts';

const row = (key: string | null, unit: string, jobs: number, knownJobs: number, amountMicros: number, refundedJobs = 0): SpendRow =>
  ({ key, unit, jobs, knownJobs, refundedJobs, amountMicros });

describe('spend report', () => {
  it('formats amounts exactly, without trailing zeros, with their unit', () => {
    expect(formatAmount(370_000, '')).toBe('0.37');
    expect(formatAmount(45_000_000, 'cr')).toBe('45 cr');
    expect(formatAmount(1_000_001, 'usd')).toBe('1.000001 usd');
    expect(formatAmount(0, 'cr')).toBe('0 cr');
  });

  it('adds amounts up only within one unit, counts unknown costs apart, and totals every group', () => {
    const lines = spendTableLines([
      row('2026-11-21', '', 2, 2, 370_000),
      row('2026-11-21', 'cr', 3, 3, 45_000_000, 1),
      row('2026-11-22', '', 2, 0, 0),
    ], { by: 'day' });
    expect(lines).toEqual([
      'DAY (UTC)   JOBS  COST          UNKNOWN  REFUNDED',
      '2026-11-21  5     0.37 + 45 cr  0        1',
      '2026-11-22  2     unknown       2        0',
      'total       7     0.37 + 45 cr  2        1',
    ]);
  });

  it('reads --since as a UTC day and --by as one of the groupings', () => {
    expect(parseSpendDate('2026-11-01')).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(parseSpendDate('2026-02-30')).toBeUndefined();
    expect(parseSpendDate('yesterday')).toBeUndefined();
    expect(spendQueryFrom({ since: undefined, by: undefined })).toEqual({ by: 'provider' });
    expect(spendQueryFrom({ since: '2026-11-01', by: 'server' })).toEqual({ by: 'server', since: Date.parse('2026-11-01T00:00:00Z') });
    expect(spendQueryFrom({ since: undefined, by: 'week' })).toEqual({ problem: '--by must be one of provider, day, user, server; got "week".' });
    expect(spendQueryFrom({ since: '1 Nov', by: undefined })).toEqual({ problem: '--since must be a UTC day like 2026-11-01; got "1 Nov".' });
  });
});
