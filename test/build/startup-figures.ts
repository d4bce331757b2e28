// Start-up time and idle memory of the built bot (plain node on dist/) against the tsx one, for the README.
// Run: npm run build && npx tsx test/build/startup-figures.ts [runs=5] [idleMs=5000]
// Each variant starts `runs` times (after one unmeasured warm-up) against the fake Discord with the mock
// provider: time from spawn to the 'claiming work' log line, then the resident memory of the whole process
// tree (tsx runs the bot in a second node process, npm keeps its own) after `idleMs` of idling. Prints a Markdown table.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';

const projectRoot = resolve(import.meta.dirname, '../..');
const runs = Number(process.argv[2] ?? 5);
const idleMs = Number(process.argv[3] ?? 5000);

interface Variant {
  name: string;
  command: string;
  args: string[];
  /** npm runs scripts in the project root; the others run from a fresh folder. */
  inProjectRoot?: boolean;
}

const variants: Variant[] = [
  { name: 'built: `node dist/src/main.js`', command: process.execPath, args: [join(projectRoot, 'dist/src/main.js')] },
  { name: '`npm start` launcher (`node src/build/run-built.mjs`, build fresh)', command: process.execPath, args: [join(projectRoot, 'src/build/run-built.mjs'), 'src/main.js'] },
  { name: '`npm start` (npm, then the launcher)', command: 'npm', args: ['start', '--silent'], inProjectRoot: true },
  { name: 'tsx: `tsx src/main.ts` (the former `npm start`)', command: join(projectRoot, 'node_modules/.bin/tsx'), args: [join(projectRoot, 'src/main.ts')] },
];

/** Resident set of a process and all its descendants, in MiB (Linux /proc). */
function treeRssMiB(rootPid: number): number {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [rootPid];
  for (let index = 0; index < tree.length; index += 1) {
    for (const [pid, parent] of parents) if (parent === tree[index]) tree.push(pid);
  }
  let kib = 0;
  for (const pid of tree) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += Number(match?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kib / 1024;
}

async function startOnce(variant: Variant, discord: FakeDiscord): Promise<{ startMs: number; rssMiB: number }> {
  const cwd = mkdtempSync(join(tmpdir(), 'nano-figures-'));
  const startedAt = performance.now();
  const child = spawn(variant.command, variant.args, {
    cwd: variant.inProjectRoot === true ? projectRoot : cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DATABASE_PATH: join(cwd, 'bot.db'),
      LOG_LEVEL: 'info',
    },
  });
  let logs = '';
  const started = new Promise<number>((resolveStart, rejectStart) => {
    const onData = (chunk: Buffer) => {
      logs += chunk.toString();
      if (logs.includes('claiming work')) resolveStart(performance.now() - startedAt);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => rejectStart(new Error(`${variant.name} exited with ${code}:\n${logs}`)));
  });
  const startMs = await started;
  await new Promise((resolveIdle) => setTimeout(resolveIdle, idleMs));
  const rssMiB = treeRssMiB(child.pid as number);
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  child.kill('SIGTERM');
  await exited;
  rmSync(cwd, { recursive: true, force: true });
  return { startMs, rssMiB };
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const discord = await FakeDiscord.start();
try {
  const results = new Map<string, Array<{ startMs: number; rssMiB: number }>>(variants.map((variant) => [variant.name, []]));
  for (const variant of variants) await startOnce(variant, discord); // warm-up: disk cache, tsx's compile cache
  for (let run = 0; run < runs; run += 1) {
    for (const variant of variants) results.get(variant.name)?.push(await startOnce(variant, discord));
  }
  console.log(`Node.js ${process.version}, ${runs} starts each (interleaved, after one warm-up), fake Discord, mock provider, RSS after ${idleMs / 1000} s idle`);
  console.log('');
  console.log('| how the bot runs | start-up to "claiming work", median (min–max) | idle RSS, median (min–max) |');
  console.log('|---|---|---|');
  for (const variant of variants) {
    const figures = results.get(variant.name) ?? [];
    const starts = figures.map((figure) => figure.startMs);
    const rss = figures.map((figure) => figure.rssMiB);
    console.log(
      `| ${variant.name} | ${Math.round(median(starts))} ms (${Math.round(Math.min(...starts))}–${Math.round(Math.max(...starts))}) | ` +
        `${median(rss).toFixed(0)} MiB (${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)}) |`,
    );
  }
} finally {
  await discord.close();
}
