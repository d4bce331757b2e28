// BotMetrics on prom-client: one Registry per instance (never the global one), rendered as Prometheus text for /metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BotMetrics, CreditMovement, InFlightState } from '../core/bot-metrics.ts';
import type { QueuePosition } from '../core/job-store.ts';
import type { ProviderId } from '../core/request.ts';
import { createFailoverFigures } from './failover-metrics.ts';
import type { MetricsSource } from './health-server.ts';

/** Options of `createPrometheusMetrics`. */
export interface PrometheusMetricsOptions {
  /** Providers whose counters start at 0, so `rate()` sees their first job (the configured ones). */
  providers?: readonly ProviderId[];
  /** Adds prom-client's process and Node.js figures (CPU, memory, event loop lag, GC); default true. */
  defaultMetrics?: boolean;
}

/** The bot's figures in a registry of their own, ready to be served. */
export interface PrometheusMetrics extends BotMetrics, MetricsSource {
  /** The registry holding every figure (tests read it directly). */
  readonly registry: Registry;
}

const inFlightStates: readonly InFlightState[] = ['queued', 'submitted', 'running', 'succeeded'];
const queueReasons: readonly QueuePosition['reason'][] = ['user_limit', 'provider_limit'];
const creditMovements: readonly CreditMovement[] = ['reserved', 'committed', 'refunded'];

/** Seconds: provider HTTP calls are usually well under a second, but a create call can take a minute. */
const callBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds: Nano Banana images take roughly 5 s (1K) to a few minutes (4K on a busy provider). */
const generationBuckets = [1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600];
/** Seconds: the poll schedule aims to notice a result within about a second of its expected finish. */
const lagBuckets = [0.1, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20, 30];

/** Creates the figures in a new registry; several instances (tests, several bots in one process) never collide. */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const jobsStarted = new Counter({ name: 'nano_imagine_jobs_started_total', help: 'Jobs accepted by this process, by provider.', labelNames: ['provider'], registers });
  const jobsFinished = new Counter({
    name: 'nano_imagine_jobs_finished_total',
    help: 'Jobs this process ended, by provider and outcome (delivered, or the error code they failed with).',
    labelNames: ['provider', 'outcome'],
    registers,
  });
  const jobsInFlight = new Gauge({ name: 'nano_imagine_jobs_in_flight', help: 'Jobs this process holds now, by state.', labelNames: ['state'], registers });
  const queueDepth = new Gauge({
    name: 'nano_imagine_queue_depth',
    help: 'Jobs waiting in the shared line at the latest claim pass, by what they wait for.',
    labelNames: ['reason'],
    registers,
  });
  const providerCalls = new Histogram({
    name: 'nano_imagine_provider_request_duration_seconds',
    help: 'Provider HTTP calls (submit, poll) by provider, call and outcome (ok or an error code).',
    labelNames: ['provider', 'call', 'outcome'],
    buckets: callBuckets,
    registers,
  });
  const generation = new Histogram({
    name: 'nano_imagine_generation_duration_seconds',
    help: 'From the create call to the poll that found the result, by provider.',
    labelNames: ['provider'],
    buckets: generationBuckets,
    registers,
  });
  const detectionLag = new Histogram({
    name: 'nano_imagine_detection_lag_seconds',
    help: 'From the last poll that saw a task pending to the poll that found its result (an upper bound of the lag), by provider.',
    labelNames: ['provider'],
    buckets: lagBuckets,
    registers,
  });
  const pollsSent = new Counter({ name: 'nano_imagine_polls_sent_total', help: 'Poll requests sent, by provider.', labelNames: ['provider'], registers });
  const downloadBytes = new Counter({
    name: 'nano_imagine_result_download_bytes_total',
    help: 'Bytes of result images downloaded from provider URLs, by provider.',
    labelNames: ['provider'],
    registers,
  });
  const platformCalls = new Counter({
    name: 'nano_imagine_platform_api_calls_total',
    help: 'Chat platform API calls answered, by platform and method (routes without ids).',
    labelNames: ['platform', 'method'],
    registers,
  });
  const platformRateLimited = new Counter({
    name: 'nano_imagine_platform_rate_limited_total',
    help: 'Chat platform API calls answered 429, by platform and method.',
    labelNames: ['platform', 'method'],
    registers,
  });
  const credits = new Counter({
    name: 'nano_imagine_credits_total',
    help: 'Credits reserved for new jobs, committed on delivery and refunded on failure.',
    labelNames: ['movement'],
    registers,
  });

  // Series that exist from the start read 0 instead of missing, so dashboards and rate() work before the first job.
  for (const provider of options.providers ?? []) {
    jobsStarted.inc({ provider }, 0);
    pollsSent.inc({ provider }, 0);
  }
  for (const state of inFlightStates) jobsInFlight.set({ state }, 0);
  for (const reason of queueReasons) queueDepth.set({ reason }, 0);
  for (const movement of creditMovements) credits.inc({ movement }, 0);

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    jobStarted: (provider) => jobsStarted.inc({ provider }),
    jobFinished: (provider, outcome) => jobsFinished.inc({ provider, outcome }),
    jobStateChanged(from, to) {
      if (from !== undefined) jobsInFlight.dec({ state: from });
      if (to !== undefined) jobsInFlight.inc({ state: to });
    },
    queueObserved(waiting) {
      const counts: Record<QueuePosition['reason'], number> = { user_limit: 0, provider_limit: 0 };
      for (const place of waiting) counts[place.reason] += 1;
      for (const reason of queueReasons) queueDepth.set({ reason }, counts[reason]);
    },
    providerCallTimed: (provider, call, seconds, outcome) => providerCalls.observe({ provider, call, outcome }, Math.max(0, seconds)),
    pollSent: (provider) => pollsSent.inc({ provider }),
    taskCompleted(provider, generationSeconds, detectionLagSeconds) {
      generation.observe({ provider }, Math.max(0, generationSeconds));
      detectionLag.observe({ provider }, Math.max(0, detectionLagSeconds));
    },
    resultDownloaded: (provider, bytes) => downloadBytes.inc({ provider }, Math.max(0, bytes)),
    platformCall(platform, method, status) {
      platformCalls.inc({ platform, method });
      if (status === 429) platformRateLimited.inc({ platform, method });
    },
    credits: (movement, amount) => credits.inc({ movement }, Math.max(0, amount)),
    ...createFailoverFigures(registers),
  };
}
