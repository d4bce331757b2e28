// The real `imagine` CLI process against each provider fake: images written, exit codes, and no request for bad input.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffImageType } from '../../src/core/image-type.ts';
import {
  resultImageBytes,
  startFakeNbpCloud,
  startFakeNbpNet,
  startFakeXenodia,
  startFakeXingchao,
  type FakeProvider,
} from '../fakes/providers/index.ts';
import { runTypeScriptCli, type CliRun } from '../support/cli-run.ts';

/** Runs the CLI with only the given variables (nothing leaks in from the test environment). */
function runCli(args: string[], environment: Record<string, string>, cwd: string): Promise<CliRun> {
  return runTypeScriptCli('src/cli/imagine.ts', args, environment, cwd);
}

let workDirectory: string;
let pngReference: string;
let textFile: string;
const fakes: Record<string, FakeProvider> = {};

beforeAll(async () => {
  workDirectory = mkdtempSync(join(tmpdir(), 'nano-cli-'));
  pngReference = join(workDirectory, 'reference.png');
  writeFileSync(pngReference, await sharp({ create: { width: 16, height: 16, channels: 3, background: '#3a6' } }).png().toBuffer());
  textFile = join(workDirectory, 'notes.png');
  writeFileSync(textFile, 'these are notes, not an image');
  fakes.xenodia = await startFakeXenodia({ latencyMs: 300 });
  fakes.xingchao = await startFakeXingchao({ latencyMs: 300 });
  fakes['nbp-cloud'] = await startFakeNbpCloud({ latencyMs: 300 });
  fakes['nbp-net'] = await startFakeNbpNet({ plan: 'free' });
});

afterAll(async () => {
  await Promise.all(Object.values(fakes).map((fake) => fake.close()));
  rmSync(workDirectory, { recursive: true, force: true });
});

function providerEnvironment(provider: string): Record<string, string> {
  const fake = fakes[provider] as FakeProvider;
  const prefix = { xenodia: 'XENODIA', xingchao: 'XINGCHAO', 'nbp-cloud': 'NBPCLOUD', 'nbp-net': 'NBPNET' }[provider] as string;
  return {
    PROVIDER: provider,
    [`${prefix}_API_KEY`]: fake.apiKey,
    [`${prefix}_BASE_URL`]: fake.baseUrl,
    ...(provider === 'nbp-net' ? { NBPNET_PLAN: 'free' } : {}),
  };
}

describe('imagine CLI', () => {
  it('writes a real PNG into data/out/ with an empty environment (offline mock)', async () => {
    const cwd = mkdtempSync(join(workDirectory, 'empty-'));
    const run = await runCli(['a banana astronaut'], { MOCK_DELAY_MS: '200' }, cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const paths = run.stdout.trim().split('\n');
    expect(paths).toHaveLength(1);
    expect(paths[0]).toContain(join(cwd, 'data/out/a-banana-astronaut-'));
    const bytes = readFileSync(paths[0] as string);
    expect(sniffImageType(bytes)).toBe('image/png');
    const metadata = await sharp(bytes).metadata();
    expect(metadata.width).toBeGreaterThanOrEqual(1000);
  });

  it.each(['xenodia', 'xingchao', 'nbp-cloud', 'nbp-net'])('generates through the %s fake and saves its image', async (provider) => {
    const fake = fakes[provider] as FakeProvider;
    fake.clearRequests();
    const out = join(workDirectory, `out-${provider}`);
    const run = await runCli(['a banana astronaut', '--aspect', '16:9', '--out', out], providerEnvironment(provider), workDirectory);
    expect(run.code, run.stderr).toBe(0);
    const path = run.stdout.trim();
    expect(path.startsWith(out)).toBe(true);
    expect(new Uint8Array(readFileSync(path))).toEqual(await resultImageBytes('small'));
    expect(fake.apiRequests().length).toBeGreaterThanOrEqual(1);
  });

  it('sends a local reference file as bytes', async () => {
    const fake = fakes.xenodia as FakeProvider;
    fake.clearRequests();
    const run = await runCli(['remix this', '--ref', pngReference, '--out', join(workDirectory, 'out-ref')], providerEnvironment('xenodia'), workDirectory);
    expect(run.code, run.stderr).toBe(0);
    const create = fake.apiRequests()[0];
    expect(create?.bodyKind).toBe('multipart');
    expect(create?.files[0]?.bytes).toEqual(new Uint8Array(readFileSync(pngReference)));
  });

  const badInputs: Array<[string, string, string[], RegExp]> = [
    ['an empty prompt', 'xenodia', ['   '], /The prompt is empty/],
    ['an unknown aspect ratio', 'xenodia', ['a cat', '--aspect', '7:3'], /does not support aspect ratio "7:3"/],
    ['an unknown resolution', 'xenodia', ['a cat', '--resolution', '8K'], /--resolution "8K" is not one of: 1K, 2K, 4K/],
    ['too many references', 'nbp-net', ['a cat', ...Array.from({ length: 5 }, () => ['--ref', 'REF']).flat()], /nbp-net accepts at most 3 reference images on the free plan; you sent 5/],
    ['a non-image file', 'xenodia', ['a cat', '--ref', 'TEXT'], /Reference 1 \(notes\.png\) is not a PNG, JPEG or WebP image/],
    ['a missing file', 'xenodia', ['a cat', '--ref', 'missing.png'], /Reference "missing\.png" cannot be read: no such file/],
    ['4K on a model that cannot do 4K', 'xingchao', ['a cat', '--model', 'nano-banana', '--resolution', '4K'], /nano-banana on xingchao cannot make 4K images; 4K needs nano-banana-pro or nano-banana-pro-stable/],
    ['a link-local reference URL', 'xenodia', ['a cat', '--ref', 'http://169.254.169.254/latest/meta-data'], /link-local/],
  ];

  it.each(badInputs)('exits 2 for %s and sends nothing to the provider', async (_name, provider, rawArgs, message) => {
    const fake = fakes[provider] as FakeProvider;
    fake.clearRequests();
    const args = rawArgs.map((argument) => (argument === 'REF' ? pngReference : argument === 'TEXT' ? textFile : argument));
    const run = await runCli([...args, '--out', join(workDirectory, 'never')], providerEnvironment(provider), workDirectory);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(fake.apiRequests()).toHaveLength(0);
  });

  it('exits 2 naming the key when the provider is not configured', async () => {
    const run = await runCli(['a cat', '--provider', 'xenodia'], {}, workDirectory);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('XENODIA_API_KEY');
  });

  it('exits 1 with a clear message when the provider answers 402', async () => {
    const fake = fakes['nbp-cloud'] as FakeProvider;
    fake.setFault('status402');
    try {
      const run = await runCli(['a cat', '--out', join(workDirectory, 'never')], providerEnvironment('nbp-cloud'), workDirectory);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/Generation failed \(provider_billing\)/);
    } finally {
      fake.setFault(null);
    }
  });
});
