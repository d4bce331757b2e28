// BLOCKED_TERMS parsing: commas split entries except inside /…/ patterns; every entry passes the chat checks.
import { describe, expect, it } from 'vitest';
import { parseBlockedTermsSetting } from '../../src/core/blocked-terms-setting.ts';

describe('BLOCKED_TERMS', () => {
  it('splits at commas, trims, skips blanks and drops duplicates', () => {
    expect(parseBlockedTermsSetting(' bad, bad word ,,ugly, bad ,')).toEqual({ entries: ['bad', 'bad word', 'ugly'] });
    expect(parseBlockedTermsSetting(undefined)).toEqual({ entries: [] });
    expect(parseBlockedTermsSetting('   ')).toEqual({ entries: [] });
  });

  it('keeps commas inside a regular expression', () => {
    expect(parseBlockedTermsSetting('bad,/a{1,3}/, /(cat|dog), inc/ ,ugly')).toEqual({
      entries: ['bad', '/a{1,3}/', '/(cat|dog), inc/', 'ugly'],
    });
    expect(parseBlockedTermsSetting('/a\\/b,c/,d')).toEqual({ entries: ['/a\\/b,c/', 'd'] });
    expect(parseBlockedTermsSetting('/x{2,}/')).toEqual({ entries: ['/x{2,}/'] });
  });

  it('names BLOCKED_TERMS and the entry when a regular expression is not closed', () => {
    expect(parseBlockedTermsSetting('bad, /abc, def')).toEqual({
      problem:
        'BLOCKED_TERMS: the regular expression starting at "/abc, def" has no closing slash before a comma or the end ' +
        '(flags such as /i are not supported; escape a slash inside it as \\/).',
    });
    expect(parseBlockedTermsSetting('/bad/i, ugly')).toHaveProperty('problem');
  });

  it('refuses entries that a chat admin could not add either', () => {
    const outcome = parseBlockedTermsSetting('bad, /(a+)+$/, /[x/');
    expect(outcome).toHaveProperty('problem');
    const problem = (outcome as { problem: string }).problem;
    expect(problem).toMatch(/^BLOCKED_TERMS: "\/\(a\+\)\+\$\/": \(a\+\)\+ repeats a group/);
    expect(problem).toContain('"/[x/": this is not a valid regular expression (RE2 syntax): missing closing ]');
  });
});
