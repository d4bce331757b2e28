// Which hosts user attachments may be downloaded from: the platforms' own file hosts only (no SSRF).

/** Discord's CDN and Slack's file host; the hosts of DISCORD_API_URL / SLACK_API_URL are added at runtime. */
export const platformFileHosts: readonly string[] = ['cdn.discordapp.com', 'media.discordapp.net', 'files.slack.com'];

/** Host (with port when given) of each URL in `urls`, skipping unset ones. */
export function hostsOf(urls: ReadonlyArray<string | undefined>): string[] {
  return urls.flatMap((url) => (url ? [new URL(url).host] : []));
}

/**
 * True when `url` is http(s) on one of `trustedHosts` (compared with the port when the trusted
 * entry has one). Anything else is refused before a request is made.
 */
export function isTrustedAttachmentUrl(url: string, trustedHosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  return trustedHosts.some((trusted) => (trusted.includes(':') ? parsed.host === trusted : parsed.hostname === trusted));
}
