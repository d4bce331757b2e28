// Validation against declared capabilities: every violation is named, nothing is resolved silently.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProviderCapabilities } from '../../src/core/capabilities.ts';
import { isBotError } from '../../src/core/errors.ts';
import type { GenerationRequest } from '../../src/core/request.ts';
import { validateRequest } from '../../src/core/validate-request.ts';

const capabilities: ProviderCapabilities = {
  displayName: 'Example',
  models: [
    { id: 'basic', aspectRatios: ['1:1', '16:9'], resolutions: ['1K'], outputFormats: ['png'] },
    { id: 'pro', aspectRatios: ['1:1', '16:9', '21:9'], resolutions: ['1K', '2K', '4K'], outputFormats: ['png'] },
  ],
  defaultModel: 'basic',
  maxPromptLength: 50,
  references: { maxCount: 3, maxBytesPerFile: 5_000, mimeTypes: ['image/png', 'image/jpeg'], acceptsUrls: true, acceptsFiles: true },
  limitContext: 'on the free plan',
  completion: 'async',
  typicalSeconds: { '1K': 20, '2K': 40, '4K': 70 },
};

let png: Uint8Array;
let webp: Uint8Array;
let bigPng: Uint8Array;

beforeAll(async () => {
  const base = sharp({ create: { width: 8, height: 8, channels: 3, background: '#fa0' } });
  png = new Uint8Array(await base.clone().png().toBuffer());
  webp = new Uint8Array(await base.clone().webp().toBuffer());
  bigPng = new Uint8Array(
    await sharp(Buffer.from(Array.from({ length: 64 * 64 * 3 }, (_, index) => (index * 7919) % 251)), { raw: { width: 64, height: 64, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer(),
  );
});

function request(overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    prompt: 'a banana astronaut',
    references: [],
    resolution: '1K',
    outputFormat: 'png',
    provider: 'mock',
    requester: { platform: 'cli', userId: 'tester' },
    origin: { platform: 'cli' },
    ...overrides,
  };
}

function problemsOf(input: GenerationRequest): string {
  try {
    validateRequest(input, 'example', capabilities);
  } catch (error) {
    if (isBotError(error) && error.code === 'invalid_request') return error.message;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('validateRequest', () => {
  it('resolves the default model, trims the prompt and sniffs reference types', () => {
    const validated = validateRequest(
      request({ prompt: '  a banana  ', aspectRatio: '16:9', references: [{ data: png, filename: 'photo.webp', source: 'attachment' }] }),
      'example',
      capabilities,
    );
    expect(validated.model).toBe('basic');
    expect(validated.prompt).toBe('a banana');
    expect(validated.aspectRatio).toBe('16:9');
    expect(validated.references[0]?.mimeType).toBe('image/png');
  });

  it('refuses an empty prompt and one over the cap', () => {
    expect(problemsOf(request({ prompt: '   ' }))).toContain('The prompt is empty');
    expect(problemsOf(request({ prompt: 'x'.repeat(51) }))).toContain('The prompt is 51 characters; example accepts at most 50.');
  });

  it('names the supported aspect ratios of the chosen model', () => {
    expect(problemsOf(request({ aspectRatio: '21:9' }))).toBe('example does not support aspect ratio "21:9"; choose one of: 1:1, 16:9.');
    expect(problemsOf(request({ aspectRatio: '7:3', model: 'pro' }))).toContain('choose one of: 1:1, 16:9, 21:9');
  });

  it('checks the resolution per model and says which models can do it', () => {
    expect(problemsOf(request({ resolution: '4K' }))).toBe(
      'basic on example cannot make 4K images on the free plan; 4K needs pro.',
    );
    expect(validateRequest(request({ resolution: '4K', model: 'pro' }), 'example', capabilities).resolution).toBe('4K');
  });

  it('refuses an unknown model with the list of models', () => {
    expect(problemsOf(request({ model: 'ultra' }))).toBe('example has no model "ultra"; choose one of: basic, pro.');
  });

  it('counts references against the plan limit', () => {
    const references = Array.from({ length: 5 }, () => ({ data: png, source: 'attachment' as const }));
    expect(problemsOf(request({ references }))).toBe('example accepts at most 3 reference images on the free plan; you sent 5.');
  });

  it('sniffs bytes instead of trusting names, and checks types and sizes', () => {
    const pdf = new TextEncoder().encode('%PDF-1.7 fake document');
    expect(problemsOf(request({ references: [{ data: pdf, filename: 'cat.png', source: 'attachment' }] }))).toBe(
      'Reference 1 (cat.png) is a PDF document, not an image: use a PNG, JPEG or WebP file.',
    );
    expect(problemsOf(request({ references: [{ data: webp, filename: 'a.webp', source: 'attachment' }] }))).toBe(
      'Reference 1 (a.webp) is a WebP image; example accepts PNG, JPEG.',
    );
    expect(bigPng.byteLength).toBeGreaterThan(5_000);
    expect(problemsOf(request({ references: [{ data: bigPng, filename: 'big.png', source: 'attachment' }] }))).toMatch(
      /^Reference 1 \(big\.png\) is \d+ KB; example accepts at most 5 KB per image on the free plan\.$/,
    );
  });

  it('refuses non-http and link-local reference URLs', () => {
    expect(problemsOf(request({ references: [{ url: 'ftp://example.com/a.png', source: 'url-argument' }] }))).toContain(
      'must be an http(s) URL',
    );
    expect(problemsOf(request({ references: [{ url: 'http://169.254.169.254/latest', source: 'url-argument' }] }))).toContain(
      'link-local',
    );
    expect(problemsOf(request({ references: [{ url: 'http://[fe80::1]/a.png', source: 'url-argument' }] }))).toContain('link-local');
  });

  it('refuses file references for URL-only providers and URLs for file-only providers', () => {
    const urlOnly = { ...capabilities, references: { ...capabilities.references, acceptsFiles: false } };
    expect(() => validateRequest(request({ references: [{ data: png, filename: 'p.png', source: 'attachment' }] }), 'links-only', urlOnly)).toThrow(
      /only accepts reference images as public links/,
    );
    const withUrl = request({ references: [{ data: png, url: 'https://cdn.discordapp.com/p.png', source: 'attachment' }] });
    expect(validateRequest(withUrl, 'links-only', urlOnly).references).toHaveLength(1);
    const filesOnly = { ...capabilities, references: { ...capabilities.references, acceptsUrls: false } };
    expect(() => validateRequest(request({ references: [{ url: 'https://example.com/a.png', source: 'url-argument' }] }), 'files-only', filesOnly)).toThrow(
      /only accepts reference images as uploaded files/,
    );
  });

  it('reports every problem at once', () => {
    const message = problemsOf(request({ prompt: '', aspectRatio: '9:16', resolution: '2K' }));
    expect(message.split('\n')).toHaveLength(3);
  });
});
