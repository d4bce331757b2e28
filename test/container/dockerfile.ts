// Reads a Dockerfile into stages of instructions, and the argument forms the container test needs (exec form, ENV, COPY).

/** One instruction, continuation lines joined. */
export interface Instruction {
  /** Upper-case: RUN, COPY, ENV, CMD, … */
  keyword: string;
  /** Everything after the keyword, as written (continuations joined with a space). */
  text: string;
}

/** One `FROM … [AS name]` and what follows it. */
export interface Stage {
  /** The base image. */
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Splits `text` into stages; comments (and parser directives) and blank lines are dropped. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    // Inside an instruction, comment lines are skipped too (Docker does the same).
    if (pending !== '' && line.trimStart().startsWith('#')) continue;
    const continued = /\\\s*$/.test(line);
    pending += `${pending === '' ? '' : ' '}${line.replace(/\\\s*$/, '').trim()}`;
    if (continued && index < lines.length - 1) continue;
    const match = /^(\S+)\s*(.*)$/.exec(pending);
    pending = '';
    if (!match) continue;
    const keyword = (match[1] as string).toUpperCase();
    const rest = (match[2] as string).trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`unreadable FROM ${rest}`);
      stages.push({ from: from[1] as string, name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before any FROM`);
    stage.instructions.push({ keyword, text: rest });
  }
  return stages;
}

/** The instructions of `stage` with `keyword`, in order. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The JSON array of an exec-form instruction (`CMD ["node", "x.js"]`), or undefined for the shell form. */
export function execForm(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec form: ${text}`);
  return parsed as string[];
}

/** `KEY=value KEY2="value two"` pairs of an ENV instruction. */
export function envPairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const match of text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const raw = match[2] as string;
    pairs[match[1] as string] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return pairs;
}

/** A COPY instruction's flags, sources and destination. */
export interface CopyArguments {
  /** `--from=stage`. */
  from: string | undefined;
  /** `--chown=user:group`. */
  chown: string | undefined;
  sources: string[];
  destination: string;
}

export function copyArguments(text: string): CopyArguments {
  const words = text.split(/\s+/).filter(Boolean);
  const flags = words.filter((word) => word.startsWith('--'));
  const paths = words.filter((word) => !word.startsWith('--'));
  const flag = (name: string) => flags.find((word) => word.startsWith(`--${name}=`))?.slice(name.length + 3);
  const unknown = flags.filter((word) => !/^--(from|chown)=/.test(word));
  if (unknown.length > 0 || paths.length < 2) throw new Error(`COPY the test cannot follow: ${text}`);
  return { from: flag('from'), chown: flag('chown'), sources: paths.slice(0, -1), destination: paths.at(-1) as string };
}

/** A HEALTHCHECK's `--option=value`s and its command (exec form) or undefined for `HEALTHCHECK NONE`. */
export function healthcheckArguments(text: string): { options: Record<string, string>; command: string[] | undefined } {
  const match = /^((?:--[a-z-]+=\S+\s+)*)(CMD\s+(.*)|NONE)$/is.exec(text);
  if (!match) throw new Error(`unreadable HEALTHCHECK ${text}`);
  const options = Object.fromEntries([...(match[1] ?? '').matchAll(/--([a-z-]+)=(\S+)/g)].map((option) => [option[1], option[2]]));
  if (match[3] === undefined) return { options, command: undefined };
  const command = execForm(match[3]);
  if (!command) throw new Error('HEALTHCHECK CMD in shell form: the test expects the exec form');
  return { options, command };
}
