// Blocked terms: entries from the operator and from each server, compiled once, checked against every prompt before anything is reserved.
import { compilePattern, type CompiledPattern } from './blocked-pattern.ts';
import { foldForMatching } from './prompt-normalize.ts';
import { containsPhrase, splitWords, type PromptWord } from './prompt-words.ts';

/*
 * How an entry matches (the README repeats this for operators and admins):
 * - A plain entry (`bad`, `bad word`, `🍆`) matches whole words, case-insensitively, after both the
 *   prompt and the entry are folded: Unicode NFKC (fullwidth `ｂａｄ` is `bad`), invisible characters
 *   removed (zero-width spaces and joiners), diacritics removed (`bäd` is `bad`). Letters spelled out
 *   one by one with separators between them join up (`b.a.d`, `b a d`, `b-a-d`), but a longer word
 *   that merely contains the letters does not match (`badge` passes `bad`). The words of a
 *   multi-word entry may be separated by anything or nothing (`bad word`, `bad-word`, `badword`).
 * - An entry written `/…/` is an RE2 regular expression (see `compilePattern`): case-insensitive,
 *   Unicode, matched anywhere in the folded prompt. Flags after the closing slash are refused
 *   rather than guessed at; inline flags such as `(?s)` work.
 */

/** Longest entry accepted, in characters, so that no list entry (least of all a pattern from chat) is unbounded. */
export const maxTermLength = 200;

/** Whose list an entry is on: the operator's `BLOCKED_TERMS`, or a server's or workspace's own list. */
export type BlockedTermSource = 'operator' | 'server';

/** A prompt folded once for all rules (see `foldForMatching`). */
export interface FoldedPrompt {
  /** The whole folded prompt, separators kept: what patterns are matched against. */
  text: string;
  /** Its words: what plain entries are matched against. */
  words: readonly PromptWord[];
}

/** One compiled entry. */
export interface BlockedRule {
  /** The entry as its author wrote it (trimmed): what a refused requester is told they broke. */
  entry: string;
  /** Whose list the entry is on. */
  source: BlockedTermSource;
  /** Whether the entry is plain words or a `/…/` regular expression. */
  kind: 'words' | 'pattern';
  /** True when the folded prompt breaks this rule. */
  matches(prompt: FoldedPrompt): boolean;
}

/** Why one entry cannot be used, worded for the admin or operator who wrote it. */
export interface TermProblem {
  /** The entry as written (trimmed). */
  entry: string;
  /** The reason, a sentence starting in lower case so callers can prefix it ("Not added: …"). */
  reason: string;
}

/** A list compiled: the rules that work and the entries that do not. */
export interface CompiledBlockedTerms {
  /** One rule per usable entry, in list order. */
  rules: BlockedRule[];
  /** One problem per entry that was left out. */
  problems: TermProblem[];
}

/** The rule a prompt broke. */
export interface BlockedTermMatch {
  /** The entry as its author wrote it. */
  entry: string;
  /** Whose list it is on. */
  source: BlockedTermSource;
}

/** `/…/` with letters after the closing slash, as in JavaScript's `/bad/i`. */
const trailingFlags = /^\/.+\/[dgimsuvy]+$/su;

/**
 * Why an entry cannot be added, or undefined when it can: the check behind `block add`. The entry
 * is trimmed first, as `compileBlockedTerms` does; callers should store it trimmed.
 */
export function checkTermEntry(entry: string): TermProblem | undefined {
  const outcome = compileEntry(entry.trim(), 'server');
  return 'problem' in outcome ? outcome.problem : undefined;
}

/** Compiles a list; empty entries are skipped, unusable ones reported and left out. */
export function compileBlockedTerms(entries: readonly string[], source: BlockedTermSource): CompiledBlockedTerms {
  const rules: BlockedRule[] = [];
  const problems: TermProblem[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const outcome = compileEntry(entry, source);
    if ('problem' in outcome) problems.push(outcome.problem);
    else rules.push(outcome.rule);
  }
  return { rules, problems };
}

/** The prompt folded once, for checking it against many rules. */
export function foldPrompt(prompt: string): FoldedPrompt {
  const text = foldForMatching(prompt);
  return { text, words: splitWords(text) };
}

/** The first rule, in the order given (operator's rules first by convention), that the prompt breaks. */
export function findBlockedTerm(prompt: string, rules: readonly BlockedRule[]): BlockedTermMatch | undefined {
  if (rules.length === 0) return undefined;
  const folded = foldPrompt(prompt);
  const broken = rules.find((rule) => rule.matches(folded));
  return broken === undefined ? undefined : { entry: broken.entry, source: broken.source };
}

/** True for an entry written as a regular expression: `/` at both ends. */
export function isPatternEntry(entry: string): boolean {
  return entry.length >= 2 && entry.startsWith('/') && entry.endsWith('/');
}

type EntryOutcome = { rule: BlockedRule } | { problem: TermProblem };

function compileEntry(entry: string, source: BlockedTermSource): EntryOutcome {
  const refuse = (reason: string): EntryOutcome => ({ problem: { entry, reason } });
  if (entry === '') return refuse('the entry is empty.');
  if (entry.length > maxTermLength) {
    return refuse(`the entry is ${entry.length} characters long; the limit is ${maxTermLength}.`);
  }
  if (trailingFlags.test(entry)) {
    return refuse('flags after the closing slash (such as /i) are not supported: patterns always ignore case. Write the pattern between the slashes only; inline flags such as (?s) work.');
  }
  if (isPatternEntry(entry)) {
    const outcome = compilePattern(entry.slice(1, -1));
    if ('problem' in outcome) return refuse(outcome.problem);
    return { rule: patternRule(entry, source, outcome.pattern) };
  }
  const phraseWords = splitWords(foldForMatching(entry)).map((word) => word.text);
  if (phraseWords.length === 0) {
    return refuse('the entry has no letters, digits or symbols to match. Write a word, or a regular expression between slashes (/…/).');
  }
  return { rule: { entry, source, kind: 'words', matches: (prompt) => containsPhrase(prompt.words, phraseWords) } };
}

function patternRule(entry: string, source: BlockedTermSource, pattern: CompiledPattern): BlockedRule {
  return { entry, source, kind: 'pattern', matches: (prompt) => pattern.test(prompt.text) };
}
