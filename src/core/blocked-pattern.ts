// A blocked-term entry written /…/: an RE2 regular expression, checked so that no pattern from chat can slow the bot down.
import { RE2JS } from 're2js';
import { findNestedRepetition } from './nested-repetition.ts';
import { foldPatternSource } from './prompt-normalize.ts';

/**
 * The most instructions a compiled pattern may have. RE2 matches in time linear in the prompt
 * times the pattern's size, so the size is the remaining knob: at 300 the worst pattern measured
 * (`[^q]{100}[^r]{100}[^s]{90}q`) scans a 4,000-character prompt in about 30 ms, while a
 * 200-character alternation of plain words compiles to about 220.
 */
export const maxPatternInstructions = 300;

/** A pattern that passed every check, ready to match folded prompts. */
export interface CompiledPattern {
  /** True when the folded prompt contains a match anywhere. */
  test(foldedPrompt: string): boolean;
}

/** Either a compiled pattern or the reason, in words for the admin who wrote it, why it was refused. */
export type PatternOutcome = { pattern: CompiledPattern } | { problem: string };

/**
 * Constructs RE2 leaves out on purpose, because they need backtracking: backreferences (`\1`,
 * `\k<name>`) and lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`). Escapes are consumed pair by pair so
 * that an escaped backslash followed by a digit (`\\1`) is not mistaken for a backreference.
 */
const backtrackingConstruct = /\\[1-9]|\\k<|\\.|\(\?<?[=!]/gsu;

/**
 * Compiles the body of a `/…/` entry (without its slashes). The pattern is matched with RE2
 * (`re2js`, a pure-JavaScript port: linear time, no backtracking, so no input can make it hang),
 * case-insensitively, over Unicode code points, against the folded prompt (NFKC, lower case,
 * without diacritics or invisible characters, separators kept). Its own letters are folded the
 * same way, except case. Refused: RE2 syntax errors, backreferences, lookaround, a repeated group
 * that repeats inside (`(a+)+`), and patterns compiling to more than `maxPatternInstructions`.
 */
export function compilePattern(body: string): PatternOutcome {
  if (body.trim() === '') return { problem: 'the regular expression between the slashes is empty.' };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(foldPatternSource(body), RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    return { problem: explainRefusedSyntax(body, error) };
  }
  const nested = findNestedRepetition(body);
  if (nested !== undefined) {
    return {
      problem:
        `${nested} repeats a group that already repeats inside; patterns of this shape take exponential time in ` +
        'ordinary regex engines, so they are refused. Repeat only once (for example a+ instead of (a+)+).',
    };
  }
  const size = compiled.matcher('').programSize();
  if (size > maxPatternInstructions) {
    return {
      problem: `this pattern is too complex (${size} steps once compiled; the limit is ${maxPatternInstructions}). Use smaller repetition counts such as {3} instead of {100}.`,
    };
  }
  return { pattern: { test: (foldedPrompt) => compiled.matcher(foldedPrompt).find() } };
}

/** Why RE2 refused the pattern: a named construct it leaves out, or its own syntax message. */
function explainRefusedSyntax(body: string, error: unknown): string {
  for (const match of body.matchAll(backtrackingConstruct)) {
    const construct = match[0];
    if (/^\\([1-9]|k<)/.test(construct)) {
      return 'backreferences such as \\1 are not supported: patterns run on RE2, a linear-time engine that leaves them out.';
    }
    if (construct.startsWith('(')) {
      return 'lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported: patterns run on RE2, a linear-time engine that leaves them out.';
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return `this is not a valid regular expression (RE2 syntax): ${message.replace(/^error parsing regexp:\s*/, '')}.`;
}
