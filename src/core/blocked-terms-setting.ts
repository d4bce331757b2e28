// Reads the operator's BLOCKED_TERMS: entries split at commas, except commas inside a /…/ regular expression.
import { compileBlockedTerms, type BlockedRule } from './blocked-terms.ts';

/** The setting read: its entries (trimmed, in order, duplicates dropped), or why it cannot be used. */
export type BlockedTermsSetting = { entries: string[] } | { problem: string };

/** The setting compiled: the operator's rules, in order, or why it cannot be used. */
export type CompiledBlockedTermsSetting = { rules: BlockedRule[] } | { problem: string };

/**
 * Splits and checks `BLOCKED_TERMS`. Entries are separated by commas; blank entries are skipped.
 * An entry that starts with `/` is a regular expression and runs to the first unescaped `/` that
 * is followed by a comma or the end of the value (spaces allowed between), so commas inside it
 * stay part of it: `/a{1,3}/` and `/(cat|dog), inc/` are one entry each. A plain entry cannot hold a
 * comma, which costs nothing: commas separate words anyway. Every entry must pass the same checks
 * as a term an admin adds in chat; the problem names BLOCKED_TERMS and each refused entry.
 */
export function parseBlockedTermsSetting(value: string | undefined): BlockedTermsSetting {
  const compiled = compileBlockedTermsSetting(value);
  return 'problem' in compiled ? compiled : { entries: compiled.rules.map((rule) => rule.entry) };
}

/**
 * Splits, checks and compiles `BLOCKED_TERMS` in one go (see `parseBlockedTermsSetting` for the
 * syntax), so the bot's start compiles each entry once: the check is the compilation.
 */
export function compileBlockedTermsSetting(value: string | undefined): CompiledBlockedTermsSetting {
  const entries: string[] = [];
  const text = value ?? '';
  let index = 0;
  while (index < text.length) {
    const entryStart = skipSpaces(text, index);
    if (entryStart >= text.length) break;
    if (text[entryStart] === ',') {
      index = entryStart + 1;
      continue;
    }
    const entryEnd = text[entryStart] === '/' ? patternEnd(text, entryStart) : plainEnd(text, entryStart);
    if (entryEnd === undefined) {
      return {
        problem:
          `BLOCKED_TERMS: the regular expression starting at "${text.slice(entryStart, entryStart + 40)}" has no closing slash ` +
          'before a comma or the end (flags such as /i are not supported; escape a slash inside it as \\/).',
      };
    }
    const entry = text.slice(entryStart, entryEnd).trim();
    if (!entries.includes(entry)) entries.push(entry);
    index = entryEnd + 1;
  }
  const { rules, problems } = compileBlockedTerms(entries, 'operator');
  if (problems.length > 0) {
    return { problem: `BLOCKED_TERMS: ${problems.map((problem) => `"${problem.entry}": ${problem.reason}`).join(' ')}` };
  }
  return { rules };
}

function skipSpaces(text: string, from: number): number {
  let index = from;
  while (index < text.length && /\s/u.test(text[index] as string)) index += 1;
  return index;
}

/** Index of the comma ending a plain entry, or the end of the value. */
function plainEnd(text: string, start: number): number {
  const comma = text.indexOf(',', start);
  return comma === -1 ? text.length : comma;
}

/**
 * For a `/…/` entry: index of the comma after its closing slash (or the end of the value), or
 * undefined when no unescaped slash is followed by a comma or the end.
 */
function patternEnd(text: string, start: number): number | undefined {
  let index = start + 1;
  while (index < text.length) {
    const character = text[index];
    if (character === '\\') {
      index += 2;
      continue;
    }
    if (character === '/') {
      const after = skipSpaces(text, index + 1);
      if (after >= text.length || text[after] === ',') return after;
    }
    index += 1;
  }
  return undefined;
}
