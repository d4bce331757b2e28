// The operators' HTTP listener: GET /healthz (alive), /readyz (connected and answering), /metrics (Prometheus text).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';
import type { Readiness } from './readiness.ts';

/** Where /metrics gets its text. */
export interface MetricsSource {
  /** The Content-Type of `render()`'s text (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** Every figure, in the exposition format. */
  render(): Promise<string>;
}

/** Options of `createHealthServer`. */
export interface HealthServerOptions {
  /** Address to bind (HEALTH_HOST): loopback by default, so nothing outside the machine sees it unless asked. */
  host: string;
  /** Port (HEALTH_PORT); 0 picks a free one (tests read `port` back). */
  port: number;
  /** What /readyz asks. */
  readiness: Pick<Readiness, 'evaluate'>;
  /** What /metrics serves. */
  metrics: MetricsSource;
  logger: Logger;
}

/** A listening health server. */
export interface HealthServer {
  /** The port actually listened on. */
  readonly port: number;
  /** Stops listening and drops open connections (scrapers keep theirs alive). */
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(head ? undefined : body);
}

const json = 'application/json; charset=utf-8';

/** Starts listening; rejects with a message naming HEALTH_PORT/HEALTH_HOST when the address cannot be bound. */
export async function createHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { readiness, metrics, logger } = options;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://health').pathname;
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, json, JSON.stringify({ error: 'only GET and HEAD' }), false);
      return;
    }
    if (path === '/healthz') {
      // Answering at all is the proof: this runs on the same event loop as every job and platform handler.
      send(response, 200, json, JSON.stringify({ ok: true }), head);
    } else if (path === '/readyz') {
      const report = await readiness.evaluate();
      send(response, report.ready ? 200 : 503, json, JSON.stringify(report.ready ? { ready: true } : report), head);
    } else if (path === '/metrics') {
      send(response, 200, metrics.contentType, await metrics.render(), head);
    } else {
      send(response, 404, json, JSON.stringify({ error: 'not found; try /healthz, /readyz or /metrics' }), head);
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'health endpoint failed');
      if (!response.headersSent) send(response, 500, json, JSON.stringify({ error: 'internal error' }), false);
      else response.destroy();
    });
  });
  // A scraper that stops mid-request must not hold a socket open for ever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'is in use' : error.code === 'EADDRNOTAVAIL' ? 'is not an address of this machine' : error.message;
      reject(new Error(`The health endpoints cannot listen on ${options.host}:${options.port} (${reason}): set HEALTH_PORT to a free port, HEALTH_HOST to an address of this machine, or HEALTH_PORT=0 to turn them off`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'health server error'));
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: options.host, port }, 'health endpoints listening (/healthz, /readyz, /metrics)');

  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
