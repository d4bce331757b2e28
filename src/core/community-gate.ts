// What a community decided, applied to a request: its allowed channels, its blocked terms, its defaults and its members' daily credits.
import { compileBlockedTerms, findBlockedTerm, type BlockedRule } from './blocked-terms.ts';
import { applyCommunityDefaults } from './community-defaults.ts';
import { channelAllowed, memberDailyCredits, type CommunitySettings } from './community-settings.ts';
import type { CommunityStore } from './community-store.ts';
import { BotError, promptBlocked } from './errors.ts';
import { blockEvent } from './moderation-events.ts';
import type { RequestRefusal } from './imagine-service.ts';
import type { ImageProvider } from './provider.ts';
import type { QuotaLedger } from './quota-ledger.ts';
import type { GenerationRequest, Origin, ProviderId, Requester } from './request.ts';

/** A community's settings as one request sees them, its blocked terms compiled. */
export interface CommunityView {
  communityKey: string;
  settings: CommunitySettings;
  rules: readonly BlockedRule[];
}

export interface CommunityGateOptions {
  store: CommunityStore & Pick<QuotaLedger, 'applyAllowance'>;
  /** Admins hold nothing against a limit, so their allowance is never touched. */
  isAdmin(requesterKey: string): boolean;
  /** The operator's BLOCKED_TERMS: checked first, everywhere. */
  operatorRules: readonly BlockedRule[];
  providers: ReadonlyMap<ProviderId, ImageProvider>;
  operatorModelFor(provider: ProviderId): string | undefined;
  now(): number;
}

/** What a request must pass; one store read per request, so every process sees an admin's change at once. */
export interface CommunityGate {
  /** The settings of `requester`'s community, or undefined outside any (CLI, DMs). */
  viewOf(requester: Requester): Promise<CommunityView | undefined>;
  /** The first refusal `request` meets (channel, then blocked terms), recording blocks in the moderation log. */
  screen(request: { prompt: string; requester: Requester; origin: Origin; parentChannelId?: string }, view: CommunityView | undefined): Promise<RequestRefusal | undefined>;
  /** `request` with the community's defaults filled in. */
  withDefaults(request: GenerationRequest, view: CommunityView | undefined): GenerationRequest;
  /**
   * Opens or raises `requester`'s day with the daily credits their community (or their highest
   * role there) gives, before a reservation or a balance is read; nothing when the operator's apply.
   */
  applyMemberCredits(requester: Requester, view: CommunityView | undefined): Promise<void>;
}

/** Compiled lists are kept per community until its entries change, so a prompt costs no compilation. */
interface CompiledList {
  entries: string;
  rules: readonly BlockedRule[];
}

export function communityKeyOf(requester: Pick<Requester, 'platform' | 'communityId'>): string | undefined {
  return requester.communityId === undefined ? undefined : `${requester.platform}:${requester.communityId}`;
}

/** The refusal as the `BotError` `start` throws. */
export function refusalError(refusal: RequestRefusal): BotError {
  if (refusal.kind === 'prompt_blocked') return promptBlocked(refusal.rule, refusal.source);
  const where = refusal.allowedChannels.length === 1 ? 'one channel' : `${refusal.allowedChannels.length} channels`;
  return new BotError('channel_not_allowed', `This community allows the bot in ${where} only.`);
}

export function createCommunityGate(options: CommunityGateOptions): CommunityGate {
  const { store, operatorRules } = options;
  const compiled = new Map<string, CompiledList>();

  function rulesOf(communityKey: string, settings: CommunitySettings): readonly BlockedRule[] {
    const entries = settings.blockedTerms.join('\n');
    const cached = compiled.get(communityKey);
    if (cached?.entries === entries) return cached.rules;
    // Entries were checked when added; one that no longer compiles (a hand-edited row) is skipped.
    const { rules } = compileBlockedTerms(settings.blockedTerms, 'server');
    compiled.set(communityKey, { entries, rules });
    return rules;
  }

  return {
    async viewOf(requester) {
      const communityKey = communityKeyOf(requester);
      if (communityKey === undefined) return undefined;
      const settings = await store.communitySettings(communityKey);
      return { communityKey, settings, rules: rulesOf(communityKey, settings) };
    },
    async screen(request, view) {
      if (view !== undefined && !channelAllowed(view.settings, request.origin.channelId, request.parentChannelId ?? request.origin.extra?.['parentChannelId'])) {
        return { kind: 'channel_not_allowed', allowedChannels: view.settings.allowedChannels };
      }
      const broken = findBlockedTerm(request.prompt, view === undefined ? operatorRules : [...operatorRules, ...view.rules]);
      if (broken === undefined) return undefined;
      await store.recordModeration(blockEvent(request, view?.communityKey ?? null, broken, options.now()));
      return { kind: 'prompt_blocked', rule: broken.entry, source: broken.source };
    },
    withDefaults(request, view) {
      return view === undefined ? request : applyCommunityDefaults(request, view.settings, options.providers, options.operatorModelFor);
    },
    async applyMemberCredits(requester, view) {
      const key = `${requester.platform}:${requester.userId}`;
      const credits = view === undefined ? undefined : memberDailyCredits(view.settings, requester.roleIds);
      if (credits !== undefined && !options.isAdmin(key)) await store.applyAllowance(key, credits, options.now());
    },
  };
}
