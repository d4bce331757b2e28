// Splits folded text into words and finds a blocked phrase among them: whole words only, spelled-out letters joined.

/** One word of folded text. */
export interface PromptWord {
  /** The word's characters (letters and digits, or one character of a script written without spaces). */
  text: string;
  /**
   * True for a word of exactly one character. Single characters in a row may join into one word,
   * which is how `b.a.d`, `b a d` and `b-a-d` read as `bad`, and how a phrase is found in
   * Chinese or Japanese text, where every character stands alone.
   */
  single: boolean;
}

/**
 * Characters that are words by themselves: scripts written without spaces between words (Han,
 * Hiragana, Katakana), where "whole word" cannot mean "between spaces", and pictographs (emoji),
 * so that an emoji can be a blocked term.
 */
const standaloneCharacter = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Extended_Pictographic}\p{So}]$/u;

/** Characters that build words; everything else (spaces, punctuation, `.`, `-`, `_`) separates them. */
const wordCharacter = /^[\p{L}\p{N}]$/u;

/** The words of already folded text (see `foldForMatching`), in order. */
export function splitWords(foldedText: string): PromptWord[] {
  const words: PromptWord[] = [];
  let current = '';
  const finishCurrent = (): void => {
    if (current === '') return;
    words.push({ text: current, single: [...current].length === 1 });
    current = '';
  };
  for (const character of foldedText) {
    if (standaloneCharacter.test(character)) {
      finishCurrent();
      words.push({ text: character, single: true });
    } else if (wordCharacter.test(character)) {
      current += character;
    } else {
      finishCurrent();
    }
  }
  finishCurrent();
  return words;
}

/**
 * True when the phrase (the words of one blocked term) occurs in the prompt as whole words. The
 * prompt's words must spell the phrase exactly, starting at the start of a prompt word and ending
 * at the end of one, so `badge` never matches `bad`. Two neighbouring prompt words may be read as
 * one where the phrase has a word break (`bad word`, `bad-word`) or where both are single
 * characters (`b.a.d`); a prompt word may also span the phrase's break (`badword` for `bad word`).
 * Longer words never join (`that's hit` does not spell `shit`). Time is at most the number of
 * prompt words times the phrase's length.
 */
export function containsPhrase(promptWords: readonly PromptWord[], phraseWords: readonly string[]): boolean {
  const phrase = phraseWords.join('');
  if (phrase === '') return false;
  const breaks = new Set<number>();
  let length = 0;
  for (const word of phraseWords) {
    length += word.length;
    breaks.add(length);
  }
  for (let start = 0; start < promptWords.length; start += 1) {
    if (spellsPhraseFrom(promptWords, start, phrase, breaks)) return true;
  }
  return false;
}

function spellsPhraseFrom(promptWords: readonly PromptWord[], start: number, phrase: string, breaks: ReadonlySet<number>): boolean {
  let position = 0;
  for (let index = start; index < promptWords.length; index += 1) {
    const word = promptWords[index] as PromptWord;
    if (!phrase.startsWith(word.text, position)) return false;
    position += word.text.length;
    if (position === phrase.length) return true;
    const next = promptWords[index + 1];
    if (next === undefined) return false;
    const mayJoin = breaks.has(position) || (word.single && next.single);
    if (!mayJoin) return false;
  }
  return false;
}
