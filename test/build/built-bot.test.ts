// `npm run build` output run with plain `node` and production dependencies only: the bot against the fake
// Discord and fake Slack, the imagine and admin CLIs, and the Discord command registration.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffImageType } from '../../src/core/image-type.ts';
import { attachmentBytes, finalReply } from '../adapters/discord/discord-test-bot.ts';
import { FakeDiscord } from '../fakes/discord/fake-discord.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { runToEnd, type CliRun } from '../support/cli-run.ts';
import { fakePlatformsEnvironment } from '../support/fake-platforms-environment.ts';

const projectRoot = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const productionDependencies = Object.keys(manifest.dependencies);
const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean }>;
};

/**
 * Packages the built code reaches by name without depending on them itself, on purpose: each must be
 * a production dependency of the named production dependency (npm installs it with that one).
 */
const reachedThroughDependencies: Record<string, string> = {
  // http-agents.ts resolves discord.js's own @discordjs/rest to hand discord.js an agent of its undici copy.
  '@discordjs/rest': 'discord.js',
};

/**
 * A folder laid out like `npm ci --omit=dev`: package.json, dist/ from `npm run build`, and a
 * node_modules/ holding exactly the lock file's non-dev packages (links into the project's own
 * node_modules/, same hoisting), so the built code finds no dev dependency (tsx, typescript, ws, ...).
 */
let release: string;
let dist: string;
let discord: FakeDiscord;
let slack: FakeSlack;
const bots: BotProcess[] = [];
const scratch: string[] = [];

/** A working folder for one run (its data/ lands there), removed after the tests. */
function scratchFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(folder);
  return folder;
}

/**
 * BUILT_RELEASE_DIR runs these tests against a real production install instead: a folder with
 * package.json, package-lock.json and dist/ in which `npm ci --omit=dev` has run (kept afterwards).
 */
const givenRelease = process.env['BUILT_RELEASE_DIR'];

beforeAll(async () => {
  if (givenRelease !== undefined && givenRelease !== '') {
    release = resolve(givenRelease);
    dist = join(release, 'dist');
  } else {
    release = mkdtempSync(join(tmpdir(), 'nano-release-'));
    dist = join(release, 'dist');
    writeFileSync(join(release, 'package.json'), readFileSync(join(projectRoot, 'package.json')));
    for (const [path, entry] of Object.entries(lock.packages)) {
      // Top-level packages only (nested ones come inside their parent's folder); dev ones are left out,
      // and so are optional ones for other platforms that were never installed here.
      if (!/^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) || entry.dev === true) continue;
      if (!existsSync(join(projectRoot, path))) continue;
      mkdirSync(dirname(join(release, path)), { recursive: true });
      symlinkSync(join(projectRoot, path), join(release, path), 'dir');
    }
    await promisify(execFile)('npm', ['run', 'build', '--', '--outDir', dist], { cwd: projectRoot, timeout: 170_000 });
  }
  expect(existsSync(join(release, 'node_modules', 'tsx'))).toBe(false);
  expect(existsSync(join(release, 'node_modules', 'typescript'))).toBe(false);
  expect(existsSync(join(release, 'node_modules', 'discord.js'))).toBe(true);
  discord = await FakeDiscord.start();
  slack = await startFakeSlack();
}, 180_000);

afterAll(async () => {
  for (const bot of bots) await bot.kill();
  await discord?.close();
  await slack?.close();
  for (const folder of scratch) rmSync(folder, { recursive: true, force: true });
  if (release && !givenRelease) rmSync(release, { recursive: true, force: true });
});

/** Plain `node` on a built file, from `cwd`, with only the given environment (plus PATH and HOME). */
function runBuilt(script: string, args: string[], environment: Record<string, string>, cwd: string): Promise<CliRun> {
  return runToEnd(process.execPath, [join(dist, script), ...args], environment, cwd);
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

/** `pkg` of `pkg/sub/path` and `@scope/pkg` of `@scope/pkg/sub`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

describe('the build', () => {
  it('is plain JavaScript whose relative imports all exist and whose packages are all production dependencies', () => {
    const scripts = filesUnder(dist).filter((file) => file.endsWith('.js'));
    for (const entry of ['src/main.js', 'src/cli/imagine.js', 'src/cli/admin.js', 'commands/register-discord.js']) {
      expect(scripts).toContain(join(dist, entry));
    }
    const imported = new Set<string>();
    const resolvedByName = new Set<string>();
    for (const script of scripts) {
      const text = readFileSync(script, 'utf8');
      for (const match of text.matchAll(/(?:(?<!["'\w])from\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)) {
        const specifier = match[1] as string;
        if (specifier.startsWith('.')) {
          expect(specifier, `${script} imports ${specifier}`).toMatch(/\.js$/);
          expect(existsSync(resolve(dirname(script), specifier)), `${script} imports ${specifier}`).toBe(true);
        } else if (!isBuiltin(specifier)) {
          imported.add(packageOf(specifier));
        }
      }
      // createRequire(...)('pkg') and createRequire(...).resolve('pkg')
      for (const match of text.matchAll(/(?:\)|\bresolve)\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
        const specifier = match[1] as string;
        if (!isBuiltin(specifier)) resolvedByName.add(packageOf(specifier));
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    for (const name of imported) expect(productionDependencies, `dist/ imports ${name}`).toContain(name);
    for (const name of resolvedByName) {
      if (productionDependencies.includes(name)) continue;
      const through = reachedThroughDependencies[name];
      expect(through, `dist/ loads ${name}, which is not a production dependency`).toBeDefined();
      const parent = JSON.parse(readFileSync(join(projectRoot, 'node_modules', through as string, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      expect(productionDependencies).toContain(through);
      expect(Object.keys(parent.dependencies ?? {}), `${name} through ${through}`).toContain(name);
    }
    expect(productionDependencies).not.toContain('tsx');
    expect(Object.keys(manifest.devDependencies)).toContain('tsx');
  });
});

describe('the built bot', () => {
  it('starts on Discord and Slack with plain node, answers /imagine on both with the mock, and stops on SIGTERM', async () => {
    const workDirectory = scratchFolder('nano-built-run-');
    const bot = await startBotProcess({
      name: 'built bot',
      cwd: workDirectory,
      builtEntry: join(dist, 'src/main.js'),
      env: fakePlatformsEnvironment(discord, slack),
      readyTimeoutMs: 20_000,
    });
    bots.push(bot);
    expect(bot.logText()).toContain('discord bot started');
    expect(bot.logText()).toContain('slack app started');

    const user = discord.addUser('built');
    const interaction = discord.slashCommand({ user, name: 'imagine', options: { prompt: 'a compiled banana' } });
    const final = await finalReply(discord, interaction, 20_000);
    expect(final.content).toContain('a compiled banana');
    expect(sniffImageType(attachmentBytes(discord, final))).toBe('image/png');
    await slack.slashCommand({ userId: 'U0BUILT', channelId: 'C0GENERAL', text: 'a compiled banana on slack' });
    const upload = await slack.waitFor(
      () => slack.workspace.botMessages(slack.identity.botUserId).flatMap((message) => message.files).find((file) => sniffImageType(file.bytes) === 'image/png'),
      'an image uploaded on Slack',
      20_000,
    );
    expect(upload.bytes.byteLength).toBeGreaterThan(1000);

    const stoppingAt = Date.now();
    // Exit code 0: ended by itself on SIGTERM (a process the signal killed would have no code).
    expect(await bot.stop()).toBe(0);
    expect(Date.now() - stoppingAt).toBeLessThan(10_000);
    expect(bot.logText()).toContain('stopping');

    // The built admin CLI reads the same database (data/bot.db under the working folder).
    const jobs = await runBuilt('src/cli/admin.js', ['jobs'], {}, workDirectory);
    expect(jobs.stderr).toBe('');
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toContain('a compiled banana on slack');
    expect(jobs.stdout).toContain(`discord:${user.id}`);
  }, 90_000);
});

describe('the built command-line tools', () => {
  it('imagine writes a real PNG offline with an empty environment', async () => {
    const cwd = scratchFolder('nano-built-imagine-');
    const run = await runBuilt('src/cli/imagine.js', ['a banana astronaut'], { MOCK_DELAY_MS: '200' }, cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const written = run.stdout.trim().split('\n');
    expect(written).toHaveLength(1);
    const file = written[0] as string;
    expect(file.startsWith(join(cwd, 'data', 'out'))).toBe(true);
    expect(sniffImageType(new Uint8Array(readFileSync(file)))).toBe('image/png');
  });

  it('admin answers --help and exits 2 on an unknown command', async () => {
    const cwd = scratchFolder('nano-built-admin-');
    const help = await runBuilt('src/cli/admin.js', ['--help'], {}, cwd);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run admin');
    const wrong = await runBuilt('src/cli/admin.js', ['frobnicate'], {}, cwd);
    expect(wrong.code).toBe(2);
  });

  it('commands/register-discord registers the commands with plain node', async () => {
    const run = await runBuilt(
      'commands/register-discord.js',
      [],
      { DISCORD_TOKEN: discord.token, DISCORD_APP_ID: discord.world.applicationId, DISCORD_API_URL: discord.apiUrl, DISCORD_GUILD_ID: discord.world.guildId },
      release,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Registered 7 commands (imagine, quota, jobs, show, imagine-admin, imagine-settings, Remix)');
  });
});
