// The jobs-in-flight figure for one job: moves counted once, final states never counted, the job let go exactly once.
import { describe, expect, it } from 'vitest';
import { trackInFlight } from '../../src/core/in-flight-tracker.ts';
import { createPrometheusMetrics } from '../../src/observability/prometheus-metrics.ts';
import { parseExposition } from '../support/prometheus-text.ts';

async function inFlight(metrics: ReturnType<typeof createPrometheusMetrics>): Promise<Record<string, number>> {
  const exposition = parseExposition(await metrics.render());
  return Object.fromEntries(['queued', 'submitted', 'running', 'succeeded'].map((state) => [state, exposition.value('nano_imagine_jobs_in_flight', { state })]));
}

describe('trackInFlight', () => {
  it('follows a job from its claim to its end', async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    const tracker = trackInFlight(metrics, 'queued');
    expect(await inFlight(metrics)).toEqual({ queued: 1, submitted: 0, running: 0, succeeded: 0 });
    tracker.moveTo('submitted');
    tracker.moveTo('running');
    tracker.moveTo('running');
    expect(await inFlight(metrics)).toEqual({ queued: 0, submitted: 0, running: 1, succeeded: 0 });
    tracker.release();
    tracker.release();
    tracker.moveTo('succeeded');
    expect(await inFlight(metrics)).toEqual({ queued: 0, submitted: 0, running: 0, succeeded: 0 });
  });

  it('counts a job taken over in `succeeded`, and never one claimed in a final state', async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    const delivering = trackInFlight(metrics, 'succeeded');
    const final = trackInFlight(metrics, 'delivered');
    expect(await inFlight(metrics)).toEqual({ queued: 0, submitted: 0, running: 0, succeeded: 1 });
    final.release();
    delivering.release();
    expect(await inFlight(metrics)).toEqual({ queued: 0, submitted: 0, running: 0, succeeded: 0 });
  });
});
