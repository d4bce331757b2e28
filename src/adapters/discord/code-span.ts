// Shows text a user wrote (a blocked term, a regular expression) verbatim in Discord markdown, whatever characters it holds.

/** Longest text shown in one span; longer text is cut with an ellipsis. */
const maxSpanLength = 200;

/**
 * `text` as an inline code span, so `*`, `_` and `\` in it are shown, not interpreted. Backticks inside
 * need a longer fence (CommonMark): a double fence, padded with spaces, and runs of two or more
 * backticks broken so none can close it early.
 */
export function codeSpan(text: string, maximum = maxSpanLength): string {
  const line = text.replace(/\s+/g, ' ');
  const shown = line.length > maximum ? `${line.slice(0, maximum)}…` : line;
  if (!shown.includes('`')) return `\`${shown}\``;
  return `\`\` ${shown.replace(/`{2,}/g, (run) => run.split('').join('\u200b'))} \`\``;
}
