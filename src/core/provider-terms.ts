// What a provider's own documentation says about refused create calls, refunds and reported costs, declared as data per provider.

/** The statuses that trigger a cool-down as well as a failover: the key or the balance, which only the operator can fix. */
export const coolDownStatuses: readonly number[] = [401, 402];

/**
 * A provider's documented terms, cited from its API document in each provider's file. The core
 * reads them to decide whether a failed create call may go to another provider (only when the
 * provider demonstrably did not take the task: sending it elsewhere must never charge twice) and
 * what a job cost the operator.
 */
export interface ProviderTerms {
  /**
   * HTTP statuses of a failed create call that show the provider took no task and charged nothing
   * (a refused key, no balance, a rate limit, or a server error the documentation says happens
   * before any task exists). Any other failure of a create call leaves its outcome unknown.
   */
  notAcceptedStatuses: readonly number[];
  /** True when the documentation says a task that fails is refunded: such a job cost the operator nothing. */
  refundsFailedTasks: boolean;
  /** The unit of the cost the provider reports with an accepted task (`SubmitOutcome.cost`), when it reports one. */
  reportedCostUnit?: string;
  /** True for a provider that never charges anything (the offline mock): its jobs cost 0. */
  freeOfCharge?: boolean;
}

/** What a provider reported an accepted task costs, in its own unit. */
export interface ReportedCost {
  /** The amount, as the provider reported it. */
  amount: number;
  /** The provider's unit (`cr` for credits). */
  unit: string;
}

/** Terms for a provider that declares none (test doubles): nothing counts as refused, nothing is refunded. */
export const unknownTerms: ProviderTerms = { notAcceptedStatuses: [], refundsFailedTasks: false };
