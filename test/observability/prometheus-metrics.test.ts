// The prom-client side of BotMetrics: each call moves its own series, and instances never share a registry.
import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../src/observability/prometheus-metrics.ts';
import { parseExposition } from '../support/prometheus-text.ts';

async function read(metrics: ReturnType<typeof createPrometheusMetrics>) {
  return parseExposition(await metrics.render());
}

describe('createPrometheusMetrics', () => {
  it('starts the configured providers, states, queue reasons and credit movements at 0', async () => {
    const exposition = await read(createPrometheusMetrics({ providers: ['xenodia', 'mock'], defaultMetrics: false }));
    expect(exposition.samples.filter((sample) => sample.name === 'nano_imagine_jobs_started_total').map((sample) => sample.labels)).toEqual([
      { provider: 'xenodia' },
      { provider: 'mock' },
    ]);
    for (const state of ['queued', 'submitted', 'running', 'succeeded']) {
      expect(exposition.samples).toContainEqual({ name: 'nano_imagine_jobs_in_flight', labels: { state }, value: 0 });
    }
    for (const movement of ['reserved', 'committed', 'refunded']) {
      expect(exposition.samples).toContainEqual({ name: 'nano_imagine_credits_total', labels: { movement }, value: 0 });
    }
  });

  it('counts jobs, states, the queue, provider calls, results, platform calls and credits', async () => {
    const metrics = createPrometheusMetrics({ providers: ['xenodia'], defaultMetrics: false });
    metrics.jobStarted('xenodia');
    metrics.jobStarted('xenodia');
    metrics.jobFinished('xenodia', 'delivered');
    metrics.jobFinished('xenodia', 'provider_billing');
    metrics.jobStateChanged(undefined, 'queued');
    metrics.jobStateChanged('queued', 'submitted');
    metrics.jobStateChanged(undefined, 'queued');
    metrics.queueObserved([{ position: 1, reason: 'user_limit' }, { position: 2, reason: 'user_limit' }, { position: 1, reason: 'provider_limit' }]);
    metrics.providerCallTimed('xenodia', 'submit', 0.2, 'ok');
    metrics.providerCallTimed('xenodia', 'poll', 0.05, 'provider_failed');
    metrics.pollSent('xenodia');
    metrics.taskCompleted('xenodia', 12, 0.8);
    metrics.resultDownloaded('xenodia', 2048);
    metrics.platformCall('slack', 'chat.update', 200);
    metrics.platformCall('slack', 'chat.update', 429);
    metrics.platformCall('discord', 'POST /channels/:id/messages', 200);
    metrics.credits('reserved', 2);
    metrics.credits('committed', 1);
    metrics.credits('refunded', 1);

    const exposition = await read(metrics);
    expect(exposition.value('nano_imagine_jobs_started_total', { provider: 'xenodia' })).toBe(2);
    expect(exposition.value('nano_imagine_jobs_finished_total', { outcome: 'delivered' })).toBe(1);
    expect(exposition.value('nano_imagine_jobs_finished_total', { outcome: 'provider_billing' })).toBe(1);
    expect(exposition.value('nano_imagine_jobs_in_flight', { state: 'queued' })).toBe(1);
    expect(exposition.value('nano_imagine_jobs_in_flight', { state: 'submitted' })).toBe(1);
    expect(exposition.value('nano_imagine_queue_depth', { reason: 'user_limit' })).toBe(2);
    expect(exposition.value('nano_imagine_queue_depth', { reason: 'provider_limit' })).toBe(1);
    expect(exposition.value('nano_imagine_provider_request_duration_seconds_count', { call: 'submit', outcome: 'ok' })).toBe(1);
    expect(exposition.value('nano_imagine_provider_request_duration_seconds_count', { call: 'poll', outcome: 'provider_failed' })).toBe(1);
    expect(exposition.value('nano_imagine_polls_sent_total', { provider: 'xenodia' })).toBe(1);
    expect(exposition.value('nano_imagine_generation_duration_seconds_sum')).toBe(12);
    expect(exposition.value('nano_imagine_detection_lag_seconds_bucket', { le: '1' })).toBe(1);
    expect(exposition.value('nano_imagine_detection_lag_seconds_bucket', { le: '0.5' })).toBe(0);
    expect(exposition.value('nano_imagine_result_download_bytes_total')).toBe(2048);
    expect(exposition.value('nano_imagine_platform_api_calls_total', { platform: 'slack', method: 'chat.update' })).toBe(2);
    expect(exposition.value('nano_imagine_platform_rate_limited_total', { platform: 'slack', method: 'chat.update' })).toBe(1);
    expect(exposition.value('nano_imagine_platform_rate_limited_total', { platform: 'discord' })).toBe(0);
    expect(exposition.value('nano_imagine_credits_total', { movement: 'reserved' })).toBe(2);

    // The next claim pass sees an empty line: the gauge follows it down.
    metrics.queueObserved([]);
    expect((await read(metrics)).value('nano_imagine_queue_depth')).toBe(0);
  });

  it('gives every instance its own registry, default process metrics included', async () => {
    const first = createPrometheusMetrics();
    const second = createPrometheusMetrics();
    first.jobStarted('mock');
    expect((await read(first)).value('nano_imagine_jobs_started_total', { provider: 'mock' })).toBe(1);
    expect((await read(second)).value('nano_imagine_jobs_started_total', { provider: 'mock' })).toBe(0);
    expect(first.registry).not.toBe(second.registry);
    expect((await read(second)).types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
  });
});
