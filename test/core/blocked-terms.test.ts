// Blocked terms: whole words after folding, spelled-out evasions, multi-word and regex entries, and refused patterns.
import { describe, expect, it } from 'vitest';
import { maxPatternInstructions } from '../../src/core/blocked-pattern.ts';
import { checkTermEntry, compileBlockedTerms, findBlockedTerm, maxTermLength, type BlockedRule } from '../../src/core/blocked-terms.ts';
import { findNestedRepetition } from '../../src/core/nested-repetition.ts';
import { foldForMatching } from '../../src/core/prompt-normalize.ts';

function rulesFor(entries: readonly string[], source: 'operator' | 'server' = 'operator'): BlockedRule[] {
  const { rules, problems } = compileBlockedTerms(entries, source);
  expect(problems).toEqual([]);
  return rules;
}

function blocked(prompt: string, entries: readonly string[]): string | undefined {
  return findBlockedTerm(prompt, rulesFor(entries))?.entry;
}

describe('plain entries', () => {
  it('match a whole word case-insensitively and name the rule and its list', () => {
    const rules = [...rulesFor(['bad']), ...rulesFor(['ugly'], 'server')];
    expect(findBlockedTerm('a BAD banana', rules)).toEqual({ entry: 'bad', source: 'operator' });
    expect(findBlockedTerm('an Ugly duckling', rules)).toEqual({ entry: 'ugly', source: 'server' });
    expect(findBlockedTerm('a banana astronaut', rules)).toBeUndefined();
  });

  it('let innocent words that merely contain the letters pass', () => {
    for (const prompt of ['a badge on a jacket', 'badminton at dusk', 'Sinbad the sailor', 'a badly drawn cat', 'ba d', 'b ad']) {
      expect(blocked(prompt, ['bad']), prompt).toBeUndefined();
    }
    expect(blocked('a town called Scunthorpe', ['cunt'])).toBeUndefined();
    expect(blocked('the ball that\'s hit hard', ['shit'])).toBeUndefined();
    expect(blocked('a bad-tempered cat', ['bad'])).toBe('bad');
  });

  it('catch spelled-out letters with simple separators', () => {
    for (const prompt of ['a B.A.D banana', 'a b a d banana', 'a b-a-d banana', 'a b_a_d banana', 'a b . a . d banana', 'x b*a*d!']) {
      expect(blocked(prompt, ['bad']), prompt).toBe('bad');
    }
  });

  it('ignore diacritics, fullwidth forms and invisible characters', () => {
    for (const prompt of ['a bäd banana', 'a BÂD banana', 'a ｂａｄ banana', 'a Ｂ.Ａ.Ｄ banana', 'a b\u200Dad banana', 'a b\u200Ba\u200Bd', 'a ba\u00ADd one', 'b\u0061\u0308d']) {
      expect(blocked(prompt, ['bad']), prompt).toBe('bad');
    }
    expect(blocked('a bad banana', ['bäd'])).toBe('bäd');
    expect(blocked('Straße', ['strasse'])).toBe('strasse');
    expect(blocked('Łódź at night', ['lodz'])).toBe('lodz');
    expect(blocked('ﬁne art', ['fine'])).toBe('fine');
  });

  it('match multi-word entries across spaces, separators or none', () => {
    const entries = ['bad word'];
    for (const prompt of ['say the bad word', 'say the BAD   WORD', 'the bad-word', 'the badword', 'the b.a.d w.o.r.d', 'the bäd\nword']) {
      expect(blocked(prompt, entries), prompt).toBe('bad word');
    }
    for (const prompt of ['a bad sword', 'badge word', 'the word bad', 'bad words']) {
      expect(blocked(prompt, entries), prompt).toBeUndefined();
    }
  });

  it('find terms in scripts written without spaces, and emoji', () => {
    expect(blocked('一个坏词的图片', ['坏词'])).toBe('坏词');
    expect(blocked('一个好词的图片', ['坏词'])).toBeUndefined();
    expect(blocked('a 🍆 on a plate', ['🍆'])).toBe('🍆');
    expect(blocked('a 🍌 on a plate', ['🍆'])).toBeUndefined();
  });

  it('check the operator list first, in order', () => {
    const rules = [...rulesFor(['bad', 'banana']), ...rulesFor(['bad'], 'server')];
    expect(findBlockedTerm('bad banana', rules)).toEqual({ entry: 'bad', source: 'operator' });
  });
});

describe('regular expression entries', () => {
  it('match anywhere in the folded prompt, case-insensitively', () => {
    expect(blocked('BAAAD idea', ['/ba+d/'])).toBe('/ba+d/');
    expect(blocked('so baaadly', ['/ba+d/'])).toBe('/ba+d/');
    expect(blocked('a bäd idea', ['/\\bbad\\b/'])).toBe('/\\bbad\\b/');
    expect(blocked('a b-a-d idea', ['/b\\W*a\\W*d/'])).toBe('/b\\W*a\\W*d/');
    expect(blocked('a good idea', ['/ba+d/'])).toBeUndefined();
    expect(blocked('a bad idea', ['/bäd/'])).toBe('/bäd/');
    expect(blocked('Ωmega', ['/\\p{Greek}/'])).toBe('/\\p{Greek}/');
  });

  it('refuse invalid patterns with RE2 reason', () => {
    expect(checkTermEntry('/[abc/')?.reason).toBe('this is not a valid regular expression (RE2 syntax): missing closing ]: `[abc`.');
    expect(checkTermEntry('/a**/')?.reason).toMatch(/^this is not a valid regular expression \(RE2 syntax\): invalid nested repetition operator/);
    expect(checkTermEntry('//')?.reason).toBe('the regular expression between the slashes is empty.');
  });

  it('refuse backreferences and lookaround, saying why', () => {
    expect(checkTermEntry('/(a)\\1/')?.reason).toMatch(/^backreferences such as \\1 are not supported: patterns run on RE2/);
    expect(checkTermEntry('/(?<n>a)\\k<n>/')?.reason).toMatch(/^backreferences/);
    for (const entry of ['/bad(?=word)/', '/bad(?!word)/', '/(?<=very )bad/', '/(?<!not )bad/']) {
      expect(checkTermEntry(entry)?.reason, entry).toMatch(/^lookahead and lookbehind .* are not supported/);
    }
    // An escaped backslash followed by a digit is a literal, not a backreference.
    expect(checkTermEntry('/a\\\\1/')).toBeUndefined();
  });

  it('refuse a catastrophic pattern when it is added, naming the fragment', () => {
    expect(checkTermEntry('/(a+)+$/')).toEqual({
      entry: '/(a+)+$/',
      reason:
        '(a+)+ repeats a group that already repeats inside; patterns of this shape take exponential time in ordinary ' +
        'regex engines, so they are refused. Repeat only once (for example a+ instead of (a+)+).',
    });
    expect(checkTermEntry('/^(\\w+\\s?)*$/')?.reason).toMatch(/^\(\\w\+\\s\?\)\* repeats a group/);
    expect(checkTermEntry('/(?:x*y){2,}/')?.reason).toMatch(/^\(\?:x\*y\)\{2,\} repeats a group/);
    expect(findNestedRepetition('(ab)+(cd?)?[(+)]+\\(a+\\)+')).toBeUndefined();
    expect(findNestedRepetition('((a)b+)+')).toBe('((a)b+)+');
  });

  it('match pathological input in linear time even where backtracking would explode', () => {
    // (a|a)*$ is accepted (no nested quantifier) yet is exponential for a backtracking engine.
    const rules = rulesFor(['/(a|a)*b$/', '/(x|xx)*y/']);
    const started = performance.now();
    expect(findBlockedTerm(`${'a'.repeat(4000)}!`, rules)).toBeUndefined();
    expect(findBlockedTerm(`${'x'.repeat(4000)}!`, rules)).toBeUndefined();
    // A sanity bound only: a backtracking engine would not finish at all.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuse patterns too complex to run cheaply, and flags after the slash', () => {
    expect(checkTermEntry('/[^q]{100}[^r]{100}[^s]{100}q/')?.reason).toMatch(
      new RegExp(`^this pattern is too complex \\(\\d+ steps once compiled; the limit is ${maxPatternInstructions}\\)`),
    );
    expect(checkTermEntry('/a{1001}/')?.reason).toMatch(/invalid repeat count/);
    expect(checkTermEntry('/bad/i')?.reason).toMatch(/^flags after the closing slash \(such as \/i\) are not supported/);
  });
});

describe('entry checks', () => {
  it('accept ordinary entries and trim them', () => {
    expect(checkTermEntry('  bad  ')).toBeUndefined();
    expect(checkTermEntry('/b[a4]d/')).toBeUndefined();
    expect(compileBlockedTerms(['  bad ', ''], 'server').rules.map((rule) => [rule.entry, rule.kind])).toEqual([['bad', 'words']]);
  });

  it('refuse entries that are too long or have nothing to match', () => {
    expect(checkTermEntry('a'.repeat(maxTermLength + 1))?.reason).toBe(`the entry is ${maxTermLength + 1} characters long; the limit is ${maxTermLength}.`);
    expect(checkTermEntry(`/${'a'.repeat(maxTermLength)}/`)?.reason).toMatch(/characters long/);
    expect(checkTermEntry('...')?.reason).toMatch(/^the entry has no letters, digits or symbols to match/);
    expect(checkTermEntry(' ')?.reason).toBe('the entry is empty.');
  });

  it('report unusable entries in a list and keep the usable ones', () => {
    const { rules, problems } = compileBlockedTerms(['bad', '/(a+)+/', '/[x/'], 'server');
    expect(rules.map((rule) => rule.entry)).toEqual(['bad']);
    expect(problems.map((problem) => problem.entry)).toEqual(['/(a+)+/', '/[x/']);
  });
});

describe('folding', () => {
  it('applies NFKC, drops invisible characters and diacritics, and lower-cases', () => {
    expect(foldForMatching('ＢÄ\u200Dd Ǆ İstanbul')).toBe('bad dz istanbul');
  });
});
