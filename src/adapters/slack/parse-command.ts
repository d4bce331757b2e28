// Parses `/imagine` text (and thread replies / mentions) into a prompt and Midjourney-style flags.
import { aspectRatios, resolutions, type Resolution } from '../../core/request.ts';
import { slackText } from './messages.ts';

/** Settings given with flags; unset ones fall back to the provider's (or the earlier job's) defaults. */
export interface ImagineFlags {
  aspectRatio?: string;
  resolution?: Resolution;
  provider?: string;
  model?: string;
}

/** What a text asks for: help, quota, the job history, a generation, or nothing valid (with the reason). */
export type ParsedImagine =
  | { kind: 'help' }
  | { kind: 'quota' }
  | { kind: 'jobs' }
  | { kind: 'generate'; prompt: string; flags: ImagineFlags }
  | { kind: 'invalid'; message: string };

type FlagName = keyof ImagineFlags;

/** Accepted spellings; `--ar` and `--aspect` are the same flag, as in Midjourney. */
const flagNames: Record<string, FlagName> = {
  ar: 'aspectRatio',
  aspect: 'aspectRatio',
  res: 'resolution',
  resolution: 'resolution',
  provider: 'provider',
  model: 'model',
};

const canonical: Record<FlagName, { flag: string; example: string }> = {
  aspectRatio: { flag: '--ar', example: '--ar 16:9' },
  resolution: { flag: '--res', example: '--res 2K' },
  provider: { flag: '--provider', example: '--provider mock' },
  model: { flag: '--model', example: '--model nano-banana-pro' },
};

/**
 * Desktop and phone keyboards turn a typed `--` into an em or en dash; `—ar 16:9` is still meant as a
 * flag, so a dash that starts a word is read as `--`.
 */
export function normalizeDashes(token: string): string {
  return token.replace(/^[\u2014\u2013]-?/, '--');
}

function checkValue(name: FlagName, raw: string): { value: string } | { error: string } {
  if (name === 'aspectRatio') {
    const value = raw.toLowerCase();
    if (!(aspectRatios as readonly string[]).includes(value)) return { error: slackText.flags.badAspect(raw, aspectRatios) };
    return { value };
  }
  if (name === 'resolution') {
    const value = raw.toUpperCase();
    if (!(resolutions as readonly string[]).includes(value)) return { error: slackText.flags.badResolution(raw) };
    return { value };
  }
  return { value: name === 'provider' ? raw.toLowerCase() : raw };
}

/** How `parseImagineText` treats keywords and empty prompts. */
export interface ParseOptions {
  /** Whether `help`, `quota`, `jobs` and an empty text are commands (true for `/imagine`, false for thread replies). */
  keywords?: boolean;
  /** Shown when only flags are given. */
  emptyPromptMessage?: string;
}

/**
 * Splits `text` (already decoded from Slack markup) into prompt words and flags. With `keywords`,
 * `help`, `quota` and `jobs` alone are commands, and an empty text is `help`: `/imagine` by itself asks how to use it.
 */
export function parseImagineText(text: string, options: ParseOptions = {}): ParsedImagine {
  const trimmed = text.trim();
  const keyword = trimmed.toLowerCase();
  if (options.keywords !== false) {
    if (keyword === '' || keyword === 'help') return { kind: 'help' };
    if (keyword === 'quota' || keyword === 'credits') return { kind: 'quota' };
    if (keyword === 'jobs') return { kind: 'jobs' };
  }

  const tokens = trimmed === '' ? [] : trimmed.split(/\s+/).map(normalizeDashes);
  const flags: ImagineFlags = {};
  const promptWords: string[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as string;
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/i.exec(token);
    if (!match) {
      promptWords.push(token);
      continue;
    }
    const written = `--${match[1] as string}`;
    const name = flagNames[(match[1] as string).toLowerCase()];
    if (name === undefined) return { kind: 'invalid', message: slackText.flags.unknown(written) };
    let raw = match[2];
    if (raw === undefined) {
      const next = tokens[index + 1];
      if (next !== undefined && !next.startsWith('--')) {
        raw = next;
        index += 1;
      }
    }
    if (raw === undefined || raw === '') {
      return { kind: 'invalid', message: slackText.flags.missingValue(written, canonical[name].example) };
    }
    if (flags[name] !== undefined) return { kind: 'invalid', message: slackText.flags.repeated(canonical[name].flag) };
    const checked = checkValue(name, raw);
    if ('error' in checked) return { kind: 'invalid', message: checked.error };
    if (name === 'resolution') flags.resolution = checked.value as Resolution;
    else flags[name] = checked.value;
  }
  const prompt = promptWords.join(' ');
  if (prompt === '') return { kind: 'invalid', message: options.emptyPromptMessage ?? slackText.emptyPrompt };
  return { kind: 'generate', prompt, flags };
}
