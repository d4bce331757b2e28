// A strict reader of the Prometheus text exposition format (0.0.4) for tests: any line it does not understand is an error.

/** One sample line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: every sample, and each family's declared type. */
export interface Exposition {
  /** The text it was read from. */
  text: string;
  samples: Sample[];
  types: Map<string, string>;
  /** The value of the sample `name` whose labels include `labels`, summed over the others; 0 when there is none. */
  value(name: string, labels?: Record<string, string>): number;
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelPair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/;
const metricTypes = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Sample names a family of each type may have besides its own name. */
const suffixes: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

/** A float as Prometheus reads it (Go's ParseFloat: `NaN`, `+Inf` and friends in any case). */
function parseValue(text: string, line: string): number {
  if (/^nan$/i.test(text)) return Number.NaN;
  const infinity = /^([-+]?)inf(?:inity)?$/i.exec(text);
  if (infinity) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new Error(`not a number in: ${line}`);
  return Number(text);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const match = labelPair.exec(rest);
    if (!match) throw new Error(`bad label set in: ${line}`);
    const [whole, name, raw] = match as unknown as [string, string, string];
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = raw.replace(/\\(["\\n])/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
    rest = rest.slice(whole.length);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (rest.length > 0) throw new Error(`bad label separator in: ${line}`);
  }
  return labels;
}

function familyOf(sampleName: string, types: Map<string, string>): string | undefined {
  if (types.has(sampleName)) return sampleName;
  for (const [family, type] of types) {
    if ((suffixes[type] ?? []).some((suffix) => sampleName === `${family}${suffix}`)) return family;
  }
  return undefined;
}

/** Parses `text`; throws naming the first line that breaks the format (or a sample without a declared type). */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const parts = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!parts) continue; // other comments are allowed
      const [, kind, name, rest] = parts as unknown as [string, string, string, string];
      if (!metricName.test(name)) throw new Error(`bad metric name in: ${line}`);
      if (kind === 'TYPE') {
        if (!metricTypes.has(rest)) throw new Error(`unknown type in: ${line}`);
        if (types.has(name)) throw new Error(`second TYPE for ${name}`);
        types.set(name, rest);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText, valueText] = sample as unknown as [string, string, string | undefined, string];
    if (familyOf(name, types) === undefined) throw new Error(`sample ${name} has no TYPE line before it`);
    samples.push({ name, labels: parseLabels(labelText ?? '', line), value: parseValue(valueText, line) });
  }
  return {
    text,
    samples,
    types,
    value(name, labels = {}) {
      return samples
        .filter((sample) => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))
        .reduce((sum, sample) => sum + sample.value, 0);
    },
  };
}
