// Parsers for the environment variables whose values need more than a plain zod type: lists, tables, numbers with defaults.
import { z } from 'zod';
import type { BlockedRule } from './core/blocked-terms.ts';
import { compileBlockedTermsSetting } from './core/blocked-terms-setting.ts';
import { parsePriceTable, type PriceTable } from './core/price-table.ts';
import { providerIds, resolutions, type ProviderId, type Resolution } from './core/request.ts';

export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

export const baseUrl = (fallback: string) =>
  optionalText.pipe(z.string().url('must be an http(s) URL').optional()).transform((value) => (value ?? fallback).replace(/\/+$/, ''));

/** A whole number of at least `minimum`, or undefined when the variable is unset. */
export const integerVariable = (minimum: number) =>
  optionalText.transform((value, context) => {
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isInteger(number) || number < minimum) {
      context.addIssue({ code: 'custom', message: `must be a whole number of at least ${minimum}; got "${value}"` });
      return z.NEVER;
    }
    return number;
  });

export const positiveInteger = (fallback: number) => integerVariable(1).transform((value) => value ?? fallback);
export const nonNegativeInteger = (fallback: number) => integerVariable(0).transform((value) => value ?? fallback);

/** `1K=1,2K=1,4K=2` → cost per resolution tier. */
export const quotaCosts = optionalText.transform((value, context) => {
  const costs: Record<Resolution, number> = { '1K': 1, '2K': 1, '4K': 2 };
  if (value === undefined) return costs;
  for (const pair of value.split(',')) {
    const [tier, amount] = pair.split('=').map((part) => part.trim());
    const cost = Number(amount);
    if (!tier || !(resolutions as readonly string[]).includes(tier.toUpperCase()) || !Number.isInteger(cost) || cost < 0) {
      context.addIssue({ code: 'custom', message: `expected entries like 1K=1,2K=1,4K=2; "${pair}" is not one` });
      return z.NEVER;
    }
    costs[tier.toUpperCase() as Resolution] = cost;
  }
  return costs;
});

/** `discord:123,slack:U456` → platform-qualified admin ids. */
export const adminIds = optionalText.transform((value, context) => {
  const ids = (value ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  for (const id of ids) {
    if (!/^(discord|slack|cli):\S+$/.test(id)) {
      context.addIssue({ code: 'custom', message: `"${id}" must be platform-qualified, like discord:123 or slack:U456` });
      return z.NEVER;
    }
  }
  return ids;
});

/** `0,2` → shard ids (checked against DISCORD_SHARD_COUNT after parsing). */
export const shardIds = optionalText.transform((value, context) => {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((part) => part.trim()).filter(Boolean).map(Number);
  if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id < 0)) {
    context.addIssue({ code: 'custom', message: `expected shard numbers like 0,1; got "${value}"` });
    return z.NEVER;
  }
  return [...new Set(ids)].sort((left, right) => left - right);
});

/** `nbp-cloud,xingchao` → provider ids in order, each once. */
export const providerList = optionalText.transform((value, context) => {
  const ids = (value ?? '').split(',').map((part) => part.trim().toLowerCase()).filter(Boolean);
  const unknown = ids.find((id) => !(providerIds as readonly string[]).includes(id));
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (unknown !== undefined || repeated !== undefined) {
    const problem = unknown !== undefined ? `"${unknown}" is not a provider; use ${providerIds.join(', ')}` : `${repeated} is listed twice`;
    context.addIssue({ code: 'custom', message: `${problem} (comma-separated, in the order to try them)` });
    return z.NEVER;
  }
  return ids as ProviderId[];
});

/** `xenodia:4K=0.24,xenodia:*=0.13,nbp-cloud:*=20cr` → the operator's prices (see core/price-table.ts). */
export const priceTable = optionalText.transform((value, context): PriceTable => {
  if (value === undefined) return {};
  const parsed = parsePriceTable(value);
  if ('table' in parsed) return parsed.table;
  context.addIssue({ code: 'custom', message: parsed.problem });
  return z.NEVER;
});

/**
 * BLOCKED_TERMS → the operator's rules, compiled once here so a bad entry stops the bot at start
 * (the problem names BLOCKED_TERMS and the entry) instead of surfacing on some later prompt.
 */
export const blockedTerms = z
  .string()
  .optional()
  .transform((value, context): BlockedRule[] => {
    const setting = compileBlockedTermsSetting(value);
    if ('problem' in setting) {
      // zod already prefixes the variable's name; the parser's own prefix would say it twice.
      context.addIssue({ code: 'custom', message: setting.problem.replace(/^BLOCKED_TERMS: /, '') });
      return z.NEVER;
    }
    return setting.rules;
  });
