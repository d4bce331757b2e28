// Folds text the same way for prompts and blocked terms, so that look-alike spellings compare equal.

/**
 * Letters that Unicode does not decompose into a base letter plus a combining mark (a stroke or a
 * ligature is part of the letter), so removing marks alone would leave them apart from the plain
 * spelling a reader sees in them. Both cases are listed because patterns are folded without
 * lower-casing (see `foldPatternSource`).
 */
const undecomposedLetters: ReadonlyMap<string, string> = new Map([
  ['ø', 'o'], ['Ø', 'O'],
  ['ł', 'l'], ['Ł', 'L'],
  ['đ', 'd'], ['Đ', 'D'],
  ['ð', 'd'], ['Ð', 'D'],
  ['ħ', 'h'], ['Ħ', 'H'],
  ['ı', 'i'],
  ['ß', 'ss'], ['ẞ', 'SS'],
  ['æ', 'ae'], ['Æ', 'AE'],
  ['œ', 'oe'], ['Œ', 'OE'],
  ['þ', 'th'], ['Þ', 'TH'],
]);

const undecomposedPattern = new RegExp(`[${[...undecomposedLetters.keys()].join('')}]`, 'gu');

/**
 * Invisible format characters (Unicode category Cf: zero-width space and joiners, soft hyphen,
 * word joiner, direction marks, byte-order mark). They render as nothing, so `b\u200Bad` looks
 * like `bad` to a reader and must read as `bad` here too.
 */
const invisibleCharacters = /\p{Cf}/gu;

/** Combining marks (accents, umlauts, cedillas, variation selectors) once letters are decomposed. */
const combiningMarks = /\p{M}/gu;

/**
 * Text as blocked terms see it: NFKC (fullwidth `ｂａｄ` and ligatures become plain letters),
 * invisible characters removed, lower case, diacritics removed (`bäd` is `bad`), then recomposed.
 * Lower-casing comes before the marks are removed because `İ` lower-cases to `i` plus a mark.
 */
export function foldForMatching(text: string): string {
  return removeDiacritics(text.normalize('NFKC').replace(invisibleCharacters, '').toLowerCase());
}

/**
 * A regular expression's source folded like the prompts it will be matched against, except for
 * case: lower-casing would change escapes such as `\W` or `\P{L}`, so case is left to the
 * engine's case-insensitive flag. This keeps `/bäd/` meaning what its author wrote, since the
 * prompt it meets has lost its umlaut.
 */
export function foldPatternSource(source: string): string {
  return removeDiacritics(source.normalize('NFKC').replace(invisibleCharacters, ''));
}

function removeDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(combiningMarks, '')
    .replace(undecomposedPattern, (letter) => undecomposedLetters.get(letter) ?? letter)
    .normalize('NFC');
}
