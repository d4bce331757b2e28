// The states a job ends in: nothing moves it on from there, and retention purges it.
import type { JobState } from '../core/job-store.ts';

/** A job in one of these states is finished; its row is kept until retention, its ledger rows for good. */
export const finalStates: readonly JobState[] = ['failed', 'delivered'];
