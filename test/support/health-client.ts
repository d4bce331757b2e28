// Asks a bot process's health endpoints over loopback: /healthz, /readyz (status and body), /metrics parsed.
import { parseExposition, type Exposition } from './prometheus-text.ts';

/** What /readyz answered. */
export interface ReadyAnswer {
  status: number;
  body: { ready: boolean; failing?: string[] };
}

/** A client for the endpoints on 127.0.0.1:`port`. */
export interface HealthClient {
  /** /healthz's status; 0 when nothing answered (not listening yet, or closed). */
  healthz(): Promise<number>;
  readyz(): Promise<ReadyAnswer>;
  /** /metrics, parsed strictly (throws on anything that is not Prometheus text). */
  metrics(): Promise<Exposition>;
  /** Polls /readyz until `accept` likes an answer, and returns it; throws with the last answer after `timeoutMs`. */
  waitForReadiness(description: string, accept: (answer: ReadyAnswer) => boolean, timeoutMs?: number): Promise<ReadyAnswer>;
}

export function healthClient(port: number): HealthClient {
  const base = `http://127.0.0.1:${port}`;
  const get = (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });

  async function readyz(): Promise<ReadyAnswer> {
    const response = await get('/readyz');
    return { status: response.status, body: (await response.json()) as ReadyAnswer['body'] };
  }

  return {
    async healthz() {
      try {
        return (await get('/healthz')).status;
      } catch {
        return 0;
      }
    },
    readyz,
    async metrics() {
      const response = await get('/metrics');
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return parseExposition(await response.text());
    },
    async waitForReadiness(description, accept, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: ReadyAnswer | string = 'no answer yet';
      while (Date.now() < deadline) {
        try {
          const answer = await readyz();
          if (accept(answer)) return answer;
          last = answer;
        } catch (error) {
          last = (error as Error).message;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`/readyz never showed ${description}; last: ${JSON.stringify(last)}`);
    },
  };
}
