// Slack text in and out: incoming markup decoded to what the user typed, outgoing user text escaped so it never pings.

/**
 * Escapes `&`, `<` and `>` (Slack's only control characters in message text), so user text such as
 * `<!channel>` or `<@U123>` is shown literally and never notifies anyone.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Turns Slack's encoded text (slash-command `text`, message `text`) back into what the user typed:
 * `<@U1|ann>` → `@ann`, `<!here>` → `@here`, `<#C1|general>` → `#general`, `<http://x.com|x.com>` → `x.com`,
 * then `&lt;` `&gt;` `&amp;` → `<` `>` `&`. The result is the prompt a provider receives.
 */
export function decodeSlackText(text: string): string {
  const withoutMarkup = text.replace(/<([^<>]*)>/g, (_match, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@')) return `@${label ?? target.slice(1)}`;
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    if (target.startsWith('!subteam^')) return `@${label ?? 'group'}`;
    if (target.startsWith('!')) return `@${label ?? target.slice(1).split('^')[0]}`;
    // Slack links typed text (`example.com`) as `<http://example.com|example.com>`: the label is what was typed.
    return label ?? target.replace(/^mailto:/, '');
  });
  return withoutMarkup.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Removes mentions of the bot (`<@UBOT>`, `<@UBOT|name>`) from encoded message text. */
export function stripBotMention(text: string, botUserId: string): string {
  return text.replace(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

/** True when encoded message text mentions the bot. */
export function mentionsBot(text: string | undefined, botUserId: string): boolean {
  return text !== undefined && new RegExp(`<@${botUserId}(\\|[^>]*)?>`).test(text);
}

/** Shortens `text` to `maximum` characters with an ellipsis (prompts echoed in status lines). */
export function truncate(text: string, maximum: number): string {
  return text.length <= maximum ? text : `${text.slice(0, maximum - 1)}…`;
}
