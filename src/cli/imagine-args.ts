// Parses `imagine` command-line arguments into request parts, with usage errors people can act on.
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { invalidRequest } from '../core/errors.ts';
import { outputFormats, providerIds, resolutions, type OutputFormat, type ProviderId, type Reference, type Resolution } from '../core/request.ts';

export const usage = `Usage: npm run imagine -- "<prompt>" [options]

Options:
  --ref PATH_OR_URL     reference image (local PNG/JPEG/WebP file or http(s) URL); repeat for more
  --aspect RATIO        aspect ratio, e.g. 1:1, 16:9, 9:16, auto
  --resolution TIER     1K, 2K or 4K (default 1K)
  --format FORMAT       png or jpg (default png)
  --provider ID         ${providerIds.join(', ')} (default: PROVIDER, else mock)
  --model ID            provider model (default: PROVIDER_MODEL or the provider's default)
  --out DIR             where images are written (default data/out/)
  -h, --help            show this help

Prints each saved file's path on stdout. Exit codes: 0 success, 2 invalid input (nothing sent), 1 provider or network failure.`;

export interface ImagineArguments {
  help: boolean;
  prompt: string;
  referenceArguments: string[];
  aspectRatio: string | undefined;
  resolution: Resolution;
  outputFormat: OutputFormat;
  provider: ProviderId | undefined;
  model: string | undefined;
  outDirectory: string;
}

function oneOf<Value extends string>(name: string, value: string | undefined, allowed: readonly Value[], fallback: Value): Value {
  if (value === undefined) return fallback;
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.trim().toLowerCase());
  if (match === undefined) throw invalidRequest(`--${name} "${value}" is not one of: ${allowed.join(', ')}.`);
  return match;
}

/** Parses argv (without the node and script entries). Throws `invalid_request` on bad usage. */
export function parseImagineArguments(argv: string[]): ImagineArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ref: { type: 'string', multiple: true },
        aspect: { type: 'string' },
        resolution: { type: 'string' },
        format: { type: 'string' },
        provider: { type: 'string' },
        model: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw invalidRequest(`${(error as Error).message}\n\n${usage}`);
  }
  const { values, positionals } = parsed;
  const formatValue = values.format?.toLowerCase() === 'jpeg' ? 'jpg' : values.format;
  return {
    help: values.help ?? false,
    prompt: positionals.join(' '),
    referenceArguments: values.ref ?? [],
    aspectRatio: values.aspect,
    resolution: oneOf('resolution', values.resolution, resolutions, '1K'),
    outputFormat: oneOf('format', formatValue, outputFormats, 'png'),
    provider: values.provider === undefined ? undefined : oneOf('provider', values.provider, providerIds, 'mock'),
    model: values.model,
    outDirectory: values.out ?? 'data/out',
  };
}

const urlPattern = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Turns each `--ref` into a reference: URLs stay URLs (the provider fetches them; the core checks
 * the scheme and refuses link-local hosts), paths are read into bytes (their type is sniffed later).
 */
export async function loadReferences(referenceArguments: readonly string[]): Promise<Reference[]> {
  return Promise.all(
    referenceArguments.map(async (argument): Promise<Reference> => {
      if (urlPattern.test(argument)) return { url: argument, source: 'url-argument' };
      try {
        const data = new Uint8Array(await readFile(resolve(argument)));
        return { data, filename: basename(argument), source: 'local-file' };
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
        throw invalidRequest(`Reference "${argument}" cannot be read: ${reason}.`);
      }
    }),
  );
}
