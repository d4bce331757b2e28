// Tells a provider's content refusal (safety, policy, prohibited or blocked content) from a technical failure, and words it plainly.

/*
 * None of the four providers' documents (shared/seeds) publishes the wording of a refusal: they
 * name only where a reason appears (xenodia's `{error, message}` bodies and task `error`,
 * xingchao's task `error`, nbp-cloud's `failure_reason` / `error`, nbp-net's `{error}`). All four
 * resell Google's Nano Banana models, so refusals arrive either as Google's own finish or block
 * reasons (`IMAGE_SAFETY`, `PROHIBITED_CONTENT`, `blockReason: OTHER`), as the reseller's
 * English sentence or error code (`content_policy_violation`, "flagged by the safety system"),
 * or, from the Chinese services, in Chinese ("包含敏感内容", "内容违规"). The phrases below
 * each tie a content word to a safety or policy word, so that technical failures keep their
 * wording: "upstream image generation failed", timeouts, "insufficient credits", a "blocked"
 * IP address or a CORS "policy" are not refusals.
 */

/** Phrases that mean the content itself was refused. */
const refusalPhrases: readonly RegExp[] = [
  // "content policy", "content_policy_violation", "content filter", "content moderation", "content was flagged".
  /\bcontent[\s_-]*(?:polic(?:y|ies)|filters?|moderation|safety|violations?|(?:was\s+|has\s+been\s+)?(?:blocked|flagged|refused|rejected|censored))\b/i,
  // "safety system", "safety filter", "safety_violation", "moderation_blocked", "safety reasons".
  /\b(?:safety|moderation)[\s_-]*(?:systems?|filters?|checks?|polic(?:y|ies)|guidelines?|settings?|reasons?|violations?|block(?:ed)?|rejected|refused|triggered|flagged)\b/i,
  // "usage policies", "acceptable use policy", "community guidelines", "Responsible AI practices".
  /\b(?:usage|acceptable[\s-]use|community|responsible[\s-]ai)[\s_-]*(?:polic(?:y|ies)|guidelines?|standards|practices)\b/i,
  // "violates our policies", "in violation of the content guidelines".
  /\bviolat(?:e|es|ed|ing|ion)\s+(?:of\s+)?(?:our\s+|the\s+|its\s+)?(?:content\s+|usage\s+|safety\s+)?(?:polic(?:y|ies)|guidelines?)\b/i,
  // "prohibited content", "sensitive words", "NSFW image", "explicit material" (not "case-sensitive input").
  /(?<!case[\s-])\b(?:prohibited|blocked|disallowed|forbidden|unsafe|inappropriate|harmful|explicit|sensitive|objectionable|offensive|nsfw|adult|sexual)\s+(?:content|prompts?|images?|inputs?|material|words?|terms?|topics?|subjects?|outputs?)\b/i,
  // "the prompt was flagged", "image has been blocked", "generation blocked", "output was filtered".
  /\b(?:prompts?|content|images?|inputs?|outputs?|generation)\s+(?:(?:was|were|is|has\s+been|got|may\s+be|might\s+be|appears\s+to\s+be)\s+)?(?:flagged|blocked|censored|filtered)\b/i,
  /\bflagged\s+(?:as|by|for)\b/i,
  /\bnsfw\b/i,
  // Google's finish and block reasons, as resellers pass them on.
  /\b(?:IMAGE_)?(?:SAFETY|PROHIBITED_CONTENT)\b|\bBLOCKLIST\b|\bSPII\b/,
  /\bfinish[\s_-]?reason\W{0,4}(?:image_)?(?:safety|prohibited_content|blocklist|spii)\b/i,
  /\bblock[\s_-]?reason\b/i,
  // "blocked due to safety", "refused because of policy".
  /\b(?:due\s+to|because\s+of)\s+(?:(?:a|the|our|its)\s+)?(?:safety|policy|moderation)\b/i,
  // Chinese: violation, prohibited, sensitive (not "case-sensitive", 大小写敏感), non-compliant, pornographic, failed review, content safety.
  /违规|违禁|(?<!大小写)敏感|不合规|涉黄|色情|审核(?:未|不)通过|未通过审核|内容安全|安全策略|安全审核/u,
];

/**
 * True when a provider's failure text says the content was refused (a safety or policy block),
 * false for technical failures. Meant for HTTP 400/422/5xx bodies and failed tasks' reasons; an
 * HTTP 401, 402 or 429 keeps its own meaning whatever its body says. Pass every text the
 * provider gave (an error code and its message joined by a space), since either may carry the sign.
 */
export function isContentRefusal(reason: string | undefined): boolean {
  if (reason === undefined || reason.trim() === '') return false;
  // A bare error code (`content_policy_violation`) has no word boundaries inside it, so it is also read with its words apart.
  const spelledOut = reason.replaceAll('_', ' ');
  return refusalPhrases.some((phrase) => phrase.test(reason) || phrase.test(spelledOut));
}

/** Google's reason codes, in the words a user reads. The most specific code found wins. */
const googleReasons: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bIMAGE_SAFETY\b/, "The provider's safety filter stopped the image."],
  [/\b(?:IMAGE_)?PROHIBITED_CONTENT\b/, 'The provider refused the request as prohibited content.'],
  [/\bBLOCKLIST\b/, "The prompt contains a term on the provider's block list."],
  [/\bSPII\b/, 'The prompt contains sensitive personal information.'],
  [/\bblock[\s_-]?reason\W{0,4}other\b/i, 'The provider blocked the prompt without giving a reason.'],
  [/\bSAFETY\b/, "The provider's safety filter stopped the request."],
];

/** A sentence in Chinese or Japanese, which ends with an ideographic full stop rather than a dot. */
const unspacedScriptEnding = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;

/** Longest reason shown to a user, in characters. */
const maxReasonLength = 200;

/**
 * The provider's refusal in plain words: a sentence for Google's reason codes, otherwise the
 * provider's own text tidied up (error codes such as `content_policy_violation` spelled out,
 * whitespace collapsed, a leading "Error:" dropped, at most 200 characters, capitalised, ending
 * in a full stop, `。` after Chinese or Japanese).
 */
export function describeContentRefusal(reason: string | undefined): string {
  const text = (reason ?? '').replace(/\s+/gu, ' ').trim();
  for (const [code, sentence] of googleReasons) {
    if (code.test(text)) return sentence;
  }
  const tidied = text
    .replace(/\b[a-z]+(?:_[a-z]+)+\b/gu, (code) => code.replaceAll('_', ' '))
    .replace(/^(?:error|failed|failure)\s*[:-]\s*/iu, '')
    .trim();
  if (tidied === '') return 'The provider refused the content without giving a reason.';
  const bounded = tidied.length > maxReasonLength ? `${tidied.slice(0, maxReasonLength - 1).trimEnd()}…` : tidied;
  const capitalised = bounded.charAt(0).toUpperCase() + bounded.slice(1);
  if (/[.!?。！？…]$/u.test(capitalised)) return capitalised;
  return unspacedScriptEnding.test(capitalised) ? `${capitalised}。` : `${capitalised}.`;
}
