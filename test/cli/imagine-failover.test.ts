// The real `imagine` process with PROVIDER_FALLBACKS: a default that answers 402 hands the image to the fallback, and stderr says so.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeNbpCloud, startFakeXenodia, type FakeProvider } from '../fakes/providers/index.ts';
import { runTypeScriptCli } from '../support/cli-run.ts';

let workDirectory: string;
let xenodia: FakeProvider;
let nbpCloud: FakeProvider;

beforeAll(async () => {
  workDirectory = mkdtempSync(join(tmpdir(), 'nano-cli-failover-'));
  xenodia = await startFakeXenodia({ latencyMs: 200 });
  nbpCloud = await startFakeNbpCloud({ latencyMs: 200 });
  xenodia.setFault('status402', { on: 'create' });
});

afterAll(async () => {
  await Promise.all([xenodia.close(), nbpCloud.close()]);
  rmSync(workDirectory, { recursive: true, force: true });
});

const environment = () => ({
  PROVIDER: 'xenodia',
  XENODIA_API_KEY: xenodia.apiKey, XENODIA_BASE_URL: xenodia.baseUrl,
  NBPCLOUD_API_KEY: nbpCloud.apiKey, NBPCLOUD_BASE_URL: nbpCloud.baseUrl,
  PROVIDER_FALLBACKS: 'nbp-cloud',
});

describe('imagine with fallbacks', () => {
  it('prints on stderr which provider made the image when the default did not take it', async () => {
    const run = await runTypeScriptCli('src/cli/imagine.ts', ['a banana pilot', '--out', 'out'], environment(), workDirectory);
    expect(run.code).toBe(0);
    const [path] = run.stdout.trim().split('\n');
    expect(path !== undefined && existsSync(path)).toBe(true);
    expect(run.stderr).toMatch(/^xenodia did not take the request, so nbp-cloud made the image \(xenodia: .*HTTP 402.*\)\.$/m);
    expect(nbpCloud.apiRequests().filter((request) => request.path === '/api/v1/image/nano-banana')).toHaveLength(1);
  });

  it('keeps a request made with --provider where it was asked', async () => {
    nbpCloud.clearRequests();
    const run = await runTypeScriptCli('src/cli/imagine.ts', ['a banana pilot', '--provider', 'xenodia', '--out', 'out'], environment(), workDirectory);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Generation failed (provider_billing)');
    expect(nbpCloud.apiRequests()).toHaveLength(0);
  });
});
