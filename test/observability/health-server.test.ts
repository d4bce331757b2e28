// The health listener over real HTTP on loopback: /healthz, /readyz (200 or 503 naming what is not ready), /metrics, errors, close.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { createHealthServer, type HealthServer } from '../../src/observability/health-server.ts';
import { createPrometheusMetrics } from '../../src/observability/prometheus-metrics.ts';
import { createReadiness } from '../../src/observability/readiness.ts';
import { parseExposition } from '../support/prometheus-text.ts';

const servers: HealthServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(problems: { discord?: string } = {}): Promise<{ server: HealthServer; base: string }> {
  const readiness = createReadiness();
  readiness.add({ name: 'store', check: () => undefined });
  readiness.add({ name: 'discord', check: () => problems.discord });
  const metrics = createPrometheusMetrics({ providers: ['mock'] });
  const server = await createHealthServer({ host: '127.0.0.1', port: 0, readiness, metrics, logger: silentLogger });
  servers.push(server);
  return { server, base: `http://127.0.0.1:${server.port}` };
}

/** A raw request, so HEAD answers and keep-alive sockets can be looked at without fetch's conveniences. */
function raw(url: string, method: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the health server', () => {
  it('answers /healthz 200 and /readyz 200 when every probe passes', async () => {
    const { base } = await start();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('content-type')).toContain('application/json');
    expect(await ready.json()).toEqual({ ready: true });
  });

  it('answers /readyz 503 with a JSON body naming what is not ready, while /healthz stays 200', async () => {
    const problems: { discord?: string } = { discord: 'gateway not connected' };
    const { base } = await start(problems);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, failing: ['discord: gateway not connected'] });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    delete problems.discord;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('serves /metrics as Prometheus text with its own registry', async () => {
    const { base } = await start();
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const exposition = parseExposition(await response.text());
    expect(exposition.types.get('nano_imagine_jobs_started_total')).toBe('counter');
    expect(exposition.value('nano_imagine_jobs_started_total', { provider: 'mock' })).toBe(0);
    expect(exposition.types.get('process_cpu_user_seconds_total')).toBe('counter');
  });

  it('answers HEAD without a body, 404 for other paths and 405 for other methods', async () => {
    const { base } = await start();
    const head = await raw(`${base}/readyz`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await raw(`${base}/`, 'GET')).status).toBe(404);
    const post = await raw(`${base}/readyz`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('refuses to start on a port in use, naming HEALTH_PORT', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const readiness = createReadiness();
      const metrics = createPrometheusMetrics({ defaultMetrics: false });
      await expect(createHealthServer({ host: '127.0.0.1', port, readiness, metrics, logger: silentLogger })).rejects.toThrow(
        new RegExp(`127\\.0\\.0\\.1:${port} \\(is in use\\).*HEALTH_PORT`),
      );
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('closes with a keep-alive connection open, and the port is free again', async () => {
    const { server, base } = await start();
    expect((await fetch(`${base}/healthz`)).status).toBe(200); // fetch keeps its connection alive
    await server.close();
    servers.length = 0;
    await expect(fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
    const again = await createHealthServer({
      host: '127.0.0.1', port: server.port, readiness: createReadiness(), metrics: createPrometheusMetrics({ defaultMetrics: false }), logger: silentLogger,
    });
    await again.close();
  });
});
