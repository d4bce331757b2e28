// Finds a repeated group that itself contains a repetition, like (a+)+: the classic shape of catastrophic backtracking.

/** A quantifier read after an atom. */
interface Quantifier {
  /** Index just past the quantifier, including a lazy `?`. */
  end: number;
  /** True when it allows more than one occurrence (`*`, `+`, `{2}`, `{1,}`), false for `?` or `{0,1}`. */
  repeats: boolean;
}

/** One open group while scanning. */
interface GroupFrame {
  /** Index of the group's `(` (0 for the whole pattern). */
  start: number;
  /** True once anything inside the group carries a quantifier. */
  containsQuantifier: boolean;
}

const countedRepetition = /^\{(\d+)(,(\d*))?\}/;

/**
 * The first fragment such as `(a+)+` or `(\w*x){2,}` in an RE2 pattern: a group repeated more than
 * once that contains a quantifier itself. RE2 matches even these in linear time, so this is not
 * what keeps the bot safe; it is refused anyway because such a pattern takes exponential time in
 * every backtracking engine it might be copied into, and a blocked word never needs it. Only
 * patterns RE2 already accepted are scanned, so the syntax is known to be valid.
 */
export function findNestedRepetition(source: string): string | undefined {
  const frames: GroupFrame[] = [{ start: 0, containsQuantifier: false }];
  let index = 0;
  while (index < source.length) {
    const character = source[index];
    if (character === '(') {
      frames.push({ start: index, containsQuantifier: false });
      index += 1;
      continue;
    }
    let atomEnd: number;
    let atomHasQuantifier = false;
    let groupStart: number | undefined;
    if (character === ')') {
      const frame = frames.length > 1 ? (frames.pop() as GroupFrame) : { start: index, containsQuantifier: false };
      atomEnd = index + 1;
      atomHasQuantifier = frame.containsQuantifier;
      groupStart = frame.start;
    } else if (character === '\\') {
      atomEnd = escapeEnd(source, index);
    } else if (character === '[') {
      atomEnd = classEnd(source, index);
    } else {
      atomEnd = index + 1;
    }
    const quantifier = readQuantifier(source, atomEnd);
    const current = frames[frames.length - 1] as GroupFrame;
    if (quantifier === undefined) {
      current.containsQuantifier ||= atomHasQuantifier;
      index = atomEnd;
      continue;
    }
    if (quantifier.repeats && atomHasQuantifier && groupStart !== undefined) return source.slice(groupStart, quantifier.end);
    current.containsQuantifier = true;
    index = quantifier.end;
  }
  return undefined;
}

/** Index past an escape: `\Q…\E` literal text, `\p{…}` / `\x{…}` with braces, or a backslash and one character. */
function escapeEnd(source: string, start: number): number {
  const kind = source[start + 1];
  if (kind === 'Q') {
    const close = source.indexOf('\\E', start + 2);
    return close === -1 ? source.length : close + 2;
  }
  if ((kind === 'p' || kind === 'P' || kind === 'x') && source[start + 2] === '{') {
    const close = source.indexOf('}', start + 3);
    return close === -1 ? source.length : close + 1;
  }
  return Math.min(source.length, start + 2);
}

/** Index past a character class, minding a leading `]` or `^]`, escapes and `[:alpha:]` names inside it. */
function classEnd(source: string, start: number): number {
  let index = start + 1;
  if (source[index] === '^') index += 1;
  if (source[index] === ']') index += 1;
  while (index < source.length) {
    const character = source[index];
    if (character === ']') return index + 1;
    if (character === '\\') {
      index = escapeEnd(source, index);
    } else if (character === '[' && source[index + 1] === ':') {
      const close = source.indexOf(':]', index + 2);
      index = close === -1 ? index + 1 : close + 2;
    } else {
      index += 1;
    }
  }
  return source.length;
}

function readQuantifier(source: string, start: number): Quantifier | undefined {
  const character = source[start];
  let end: number;
  let repeats: boolean;
  if (character === '*' || character === '+') {
    end = start + 1;
    repeats = true;
  } else if (character === '?') {
    end = start + 1;
    repeats = false;
  } else {
    const counted = countedRepetition.exec(source.slice(start, start + 16));
    if (counted === null) return undefined;
    end = start + counted[0].length;
    const minimum = Number(counted[1]);
    const unbounded = counted[2] !== undefined && counted[3] === '';
    const maximum = counted[2] === undefined ? minimum : Number(counted[3]);
    repeats = unbounded || maximum > 1;
  }
  if (source[end] === '?') end += 1;
  return { end, repeats };
}
