// The store contract suite: every database implementation runs these same tests through its own fixture.
import { afterEach, describe, expect } from 'vitest';
import type { ErrorCode } from '../../src/core/errors.ts';
import type { ClaimRequest, JobLease } from '../../src/core/job-store.ts';
import type { QuotaPolicy } from '../../src/core/quota-policy.ts';
import { unbalancedAccounts, type BotStore } from '../../src/store/index.ts';
import { botErrorOf } from '../support/bot-error-of.ts';
import { describeAllowanceContract } from './contract-allowance.ts';
import { describeCancelContract } from './contract-cancel.ts';
import { describeCommunityContract } from './contract-community.ts';
import { describeIntakeAndEventContract } from './contract-intakes-events.ts';
import { describeJobContract } from './contract-jobs.ts';
import { describeKeptImageContract } from './contract-kept-images.ts';
import { describeLeaseConcurrencyContract } from './contract-lease-concurrency.ts';
import { describeLeaseFencingContract } from './contract-lease-fencing.ts';
import { describeLeaseContract } from './contract-leases.ts';
import { describeLedgerInvariantContract } from './contract-ledger-invariants.ts';
import { describeProviderSpendContract } from './contract-provider-spend.ts';
import { describeQuotaContract } from './contract-quota.ts';
import type { QuotaOverrides } from './store-fixtures.ts';

/** Tables a test may count rows of. */
export type StoreTable =
  | 'jobs' | 'job_references' | 'quota_accounts' | 'quota_ledger' | 'intakes' | 'event_keys' | 'provider_spend'
  | 'community_settings' | 'community_settings_changes' | 'moderation_events' | 'job_cancels' | 'job_images';

/** One empty database with a store open on it. */
export interface StoreFixture {
  store: BotStore;
  policy: QuotaPolicy;
  /** Another store on the same database, with its own connection(s), as another process would have; closed with the fixture. */
  openAnother(): Promise<BotStore>;
  countRows(table: StoreTable): Promise<number>;
  close(): Promise<void>;
}

/** Opens a fixture on an empty database with the default quota changed by `quota`. */
export type OpenStoreFixture = (quota?: QuotaOverrides) => Promise<StoreFixture>;

/** Opens fixtures for the tests of one `describe` block and closes them after each test. */
export function useFixtures(openFixture: OpenStoreFixture): (quota?: QuotaOverrides) => Promise<StoreFixture> {
  const opened: StoreFixture[] = [];
  afterEach(async () => {
    for (const fixture of opened.splice(0).reverse()) await fixture.close();
  });
  return async (quota) => {
    const fixture = await openFixture(quota);
    opened.push(fixture);
    return fixture;
  };
}

/** Runs every part of the contract against the store `openFixture` opens. */
export function describeStoreContract(name: string, openFixture: OpenStoreFixture): void {
  describe(name, () => {
    describeJobContract(openFixture);
    describeQuotaContract(openFixture);
    describeLeaseContract(openFixture);
    describeLeaseFencingContract(openFixture);
    describeLeaseConcurrencyContract(openFixture);
    describeIntakeAndEventContract(openFixture);
    describeLedgerInvariantContract(openFixture);
    describeProviderSpendContract(openFixture);
    describeCommunityContract(openFixture);
    describeCancelContract(openFixture);
    describeKeptImageContract(openFixture);
    describeAllowanceContract(openFixture);
  });
}

export { botErrorOf };

/** Expects `action` to fail with a BotError of `code` whose message matches `message`. */
export async function expectBotError(action: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const error = await botErrorOf(action);
  expect(error.code, error.message).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
}

/** Every account day agrees with its ledger and with the jobs holding its credits. */
export async function expectBalanced(store: BotStore): Promise<void> {
  expect(unbalancedAccounts(await store.auditAccounts())).toEqual([]);
}

/** The owner tests claim jobs as when they only need a lease to walk a job through its states. */
export const testOwner = 'test-process';

/** A claim request with limits high enough never to hold anything back. */
export function generousClaim(now: number, overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    owner: testOwner,
    now,
    leaseMs: 86_400_000,
    maxPerUser: 1_000,
    providerLimit: () => 1_000,
    platforms: ['discord', 'slack', 'cli'],
    limit: 1_000,
    ...overrides,
  };
}

// Leases tests took through `leaseOf`, per store: one claim pass may lease several jobs at once.
const heldLeases = new WeakMap<BotStore, Map<string, JobLease>>();

/** The lease of `jobId`, claiming whatever is claimable when this store holds none for it yet (leases last a day). */
export async function leaseOf(store: BotStore, jobId: string, now: number): Promise<JobLease> {
  const held = heldLeases.get(store) ?? new Map<string, JobLease>();
  heldLeases.set(store, held);
  if (!held.has(jobId)) {
    for (const claimed of (await store.claimJobs(generousClaim(now))).claimed) held.set(claimed.job.id, claimed.lease);
  }
  const lease = held.get(jobId);
  if (lease === undefined) throw new Error(`job ${jobId} was not claimable`);
  return lease;
}
