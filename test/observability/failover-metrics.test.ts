// The failover and spend figures on /metrics: providers passed over, failovers, spend per provider and unit, unknown costs; only bounded labels.
import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../src/observability/prometheus-metrics.ts';
import { parseExposition } from '../support/prometheus-text.ts';

describe('failover and spend metrics', () => {
  it('counts passed-over providers, failovers, spend, refunds and unknown costs with provider, reason and unit labels only', async () => {
    const metrics = createPrometheusMetrics({ providers: ['xenodia', 'nbp-cloud'], defaultMetrics: false });
    metrics.providerPassedOver('xenodia', 'provider_billing');
    metrics.providerPassedOver('xenodia', 'cooling_down');
    metrics.providerPassedOver('nbp-net', 'cannot_serve');
    metrics.failedOver('xenodia', 'nbp-cloud');
    metrics.spendRecorded('nbp-cloud', 'cr', 20_000_000);
    metrics.spendRecorded('nbp-cloud', 'cr', 5_000_000);
    metrics.spendRecorded('xenodia', '', 130_000);
    metrics.spendRecorded('xingchao', '', null);
    metrics.spendRefunded('nbp-cloud', 'cr', 20_000_000);
    const exposition = parseExposition(await metrics.render());

    expect(exposition.value('nano_imagine_provider_passed_over_total', { provider: 'xenodia', reason: 'provider_billing' })).toBe(1);
    expect(exposition.value('nano_imagine_provider_passed_over_total', { provider: 'xenodia' })).toBe(2);
    expect(exposition.value('nano_imagine_failovers_total', { from: 'xenodia', to: 'nbp-cloud' })).toBe(1);
    expect(exposition.value('nano_imagine_spend_total', { provider: 'nbp-cloud', unit: 'cr' })).toBe(25);
    expect(exposition.value('nano_imagine_spend_total', { provider: 'xenodia', unit: '' })).toBeCloseTo(0.13);
    expect(exposition.value('nano_imagine_spend_refunded_total', { provider: 'nbp-cloud', unit: 'cr' })).toBe(20);
    expect(exposition.value('nano_imagine_spend_unknown_jobs_total', { provider: 'xingchao' })).toBe(1);
    const labels = new Set(exposition.samples.filter((sample) => /spend|failover|passed_over/.test(sample.name)).flatMap((sample) => Object.keys(sample.labels)));
    expect([...labels].sort()).toEqual(['from', 'provider', 'reason', 'to', 'unit']);
  });
});
