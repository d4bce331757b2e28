// Why a fenced job write was refused, for both stores: every write after a claim names its lease, and a moved-on lease or a wrong state refuses it.
import { BotError } from '../core/errors.ts';
import type { JobLease, JobState } from '../core/job-store.ts';
import type { JobRow } from './job-rows.ts';

/** The columns that decide whether a fenced write may go ahead. */
export type FenceRow = Pick<JobRow, 'state' | 'task_id' | 'lease_owner' | 'lease_epoch'>;

/** True while the stored row is still leased to `lease`'s owner at `lease`'s epoch. */
export function holds(row: Pick<JobRow, 'lease_owner' | 'lease_epoch'>, lease: JobLease): boolean {
  return row.lease_owner === lease.owner && row.lease_epoch === lease.epoch;
}

/** The error for a write by a process whose lease another claim has replaced (or that gave it back). */
export function leaseLost(lease: JobLease): BotError {
  return new BotError('lease_lost', `Job ${lease.jobId} is no longer leased to ${lease.owner} (epoch ${lease.epoch})`);
}

/** The error for a transition to `target` that the job's `state` does not allow (undefined: the job is gone); a runner bug. */
export function invalidTransition(jobId: string, target: string, state: JobState | undefined): BotError {
  return state === undefined
    ? new BotError('internal', `Cannot mark job ${jobId} ${target}: no such job`)
    : new BotError('internal', `Cannot mark job ${jobId} ${target}: it is ${state}`);
}

/** Why a fenced write that matched no row was refused, given the row as it is now (undefined: gone). */
export function fenceRefusal(current: FenceRow | undefined, lease: JobLease, target: string): BotError {
  if (current !== undefined && !holds(current, lease)) return leaseLost(lease);
  return invalidTransition(lease.jobId, target, current?.state);
}

/** True when a `submitted` write that matched nothing repeats what is stored already: the same holder, the same task. */
export function sameSubmission(current: FenceRow | undefined, lease: JobLease, taskId: string | null): boolean {
  return current !== undefined && holds(current, lease) && current.state === 'submitted' && current.task_id === taskId;
}
