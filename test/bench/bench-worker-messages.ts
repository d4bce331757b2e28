// The line protocol between the benchmark and its bot processes: one JSON object per line, commands on stdin, reports on stdout.
import type { DeliveryOutcome } from './bench-delivery.ts';
import type { LedgerThroughput } from './ledger-throughput.ts';
import type { PoolQueueFigures } from './pool-queue-sampler.ts';
import type { RssPeaks } from './rss-sampler.ts';
import type { ClaimPassRecord } from './timed-claims.ts';
import type { ProviderCallTimes } from './timed-provider.ts';

/** What a bot process is started with (its one command-line argument, as JSON). */
export interface WorkerSettings {
  /** 0-based, for logs and the report. */
  workerIndex: number;
  /** The operator environment for parseConfig: provider, limits, DATABASE_PATH or DATABASE_URL. */
  environment: Record<string, string>;
  /** The runner's `maxHeldJobs`; undefined keeps its default. */
  maxHeldJobs: number | undefined;
  /** Prefix of this run's dedupe keys and requester ids, so runs sharing a database keep apart. */
  runId: string;
}

/** One job a process started, as its creator saw it. */
export interface StartRecord {
  /** The job's number in the run (0-based). */
  index: number;
  jobId: string;
  /** Just before `runner.start()` was called (Date.now()). */
  startCalledAt: number;
  /** When `start()` returned: what an adapter waits for before it can tell the user the job is accepted (it includes a claim pass). */
  startReturnedAt: number;
}

/** Everything a process measured over the job run. */
export interface WorkerRunResult {
  pid: number;
  owner: string;
  starts: StartRecord[];
  /** How long issuing this process's `start()` calls took. */
  startCallsMs: number;
  claimPasses: ClaimPassRecord[];
  claimedJobIds: string[];
  failedClaimPasses: number;
  firstClaimFailure: string | undefined;
  /** Queries waiting for a PostgreSQL pool connection, sampled every 100 ms (absent on SQLite). */
  poolQueue: PoolQueueFigures | undefined;
  /** Progress reports this process sent to its delivery (progress edits and queue-place updates a platform would get). */
  progressCalls: number;
  /** Of those, queue-place updates. */
  queuePlaceCalls: number;
  /** Poll requests this process's scheduler started. */
  schedulerPolls: number;
  rss: RssPeaks;
  /** RSS with the runner built, the store open and the fake known, before the first job. */
  rssBeforeJobsBytes: number;
  callTimes: ProviderCallTimes;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** CPU time (user + system) from the start command to the finish command. */
  cpuMs: number;
}

/** Parent → bot process. */
export type WorkerCommand =
  | { type: 'start'; indices: number[] }
  | { type: 'finish' }
  | { type: 'ledger-prepare'; environment: Record<string, string>; keyPrefix: string; requesters: number; callers: number }
  | { type: 'ledger-run'; durationMs: number }
  | { type: 'exit' };

/** Bot process → parent. */
export type WorkerReport =
  | { type: 'ready'; pid: number; owner: string }
  | { type: 'started'; count: number; startCallsMs: number }
  | ({ type: 'outcome'; jobId: string } & DeliveryOutcome)
  | { type: 'status'; polledTasks: number; polls: number; rssBytes: number }
  | { type: 'result'; result: WorkerRunResult }
  | { type: 'ledger-prepared' }
  | { type: 'ledger-result'; ledger: LedgerThroughput }
  | { type: 'failed'; message: string };
