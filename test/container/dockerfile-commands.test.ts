// The Dockerfile without Docker: its shape, then exactly its install and start commands, replayed as an unprivileged user.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sniffImageType } from '../../src/core/image-type.ts';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/fake-slack.ts';
import { startBotProcess, type BotProcess } from '../support/bot-process.ts';
import { freePort } from '../support/free-port.ts';
import { healthClient } from '../support/health-client.ts';
import { buildContextFiles } from './build-context.ts';
import { envPairs, execForm, healthcheckArguments, instructionsOf, parseDockerfile, type Stage } from './dockerfile.ts';
import { replayStage, type ReplayedStage } from './stage-replay.ts';
import { unprivilegedUser } from './unprivileged-user.ts';

const projectRoot = resolve(import.meta.dirname, '../..');
const stages = parseDockerfile(readFileSync(join(projectRoot, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1) as Stage;
const user = unprivilegedUser();

let scratch: string;
let slack: FakeSlack;
let bot: BotProcess | undefined;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'nano-container-'));
  // The unprivileged user must reach the folders inside.
  chmodSync(scratch, 0o755);
  slack = await startFakeSlack();
});

afterAll(async () => {
  await bot?.kill();
  await slack?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('the Dockerfile', () => {
  it('builds in one stage and runs on a Debian-slim Node 24 base as a non-root user, with /app/data as the volume', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.from).toMatch(/^node:24(?:\.\d+)*-(?:bookworm|trixie)-slim$/);
    const imageUser = instructionsOf(runtime, 'USER').at(-1)?.text;
    expect(imageUser).toBeDefined();
    expect(imageUser).not.toMatch(/^(?:root|0)(?::|$)/);
    expect(instructionsOf(runtime, 'VOLUME').map((volume) => execForm(volume.text))).toContainEqual(['/app/data']);
    const environment = Object.assign({}, ...instructionsOf(runtime, 'ENV').map((env) => envPairs(env.text))) as Record<string, string>;
    expect(environment['DATABASE_PATH']).toBe('/app/data/bot.db');
    // Only the build stage installs and compiles; the runtime stage copies its output.
    expect(instructionsOf(runtime, 'RUN').some((run) => /\bnpm\b/.test(run.text))).toBe(false);
    const cmd = execForm(instructionsOf(runtime, 'CMD').at(-1)?.text ?? '');
    expect(cmd?.[0]).toBe('node');
    const healthcheck = healthcheckArguments(instructionsOf(runtime, 'HEALTHCHECK').at(-1)?.text ?? '');
    expect(healthcheck.command?.slice(0, 2)).toEqual(['node', '-e']);
    expect(healthcheck.command?.[2]).toContain('/readyz');
  });

  it('its install and start commands build a bot that starts, is ready, passes its HEALTHCHECK and stops on SIGTERM', async () => {
    const context = { root: projectRoot, files: buildContextFiles(projectRoot) };
    expect(context.files).toContain('package-lock.json');
    expect(context.files.some((file) => file.startsWith('test/') || file.startsWith('node_modules/') || file === '.env')).toBe(false);

    // npm as the unprivileged user: its own HOME, and a copy of this machine's npm cache so nothing is downloaded twice.
    const home = join(scratch, 'home');
    mkdirSync(join(home, '.npm'), { recursive: true });
    const machineCache = join(homedir(), '.npm', '_cacache');
    if (existsSync(machineCache)) execFileSync('cp', ['-a', machineCache, join(home, '.npm')]);
    user.own(home, { recursive: true });
    // node-gyp compiles better-sqlite3 against these headers (CI's second pass points npm at another Node.js's).
    const nodedir = process.env['npm_config_nodedir'] || execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).trim();
    const runEnvironment: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      npm_config_cache: join(home, '.npm'),
      npm_config_prefer_offline: 'true',
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      ...(nodedir && nodedir !== 'undefined' ? { npm_config_nodedir: nodedir } : {}),
    };

    const replayed = new Map<string, string>();
    const timings: string[] = [];
    let final: ReplayedStage | undefined;
    for (const [index, stage] of stages.entries()) {
      const root = join(scratch, `stage-${index}`);
      final = await replayStage(stage, {
        root, context, stages: replayed, user, runEnvironment, runTimeoutMs: 300_000,
        onRun: (command, elapsedMs) => timings.push(`${command}: ${(elapsedMs / 1000).toFixed(1)} s`),
      });
      if (stage.name) replayed.set(stage.name, root);
    }
    const image = final as ReplayedStage;
    if (process.env['TEST_LOGS']) process.stderr.write(`container commands as ${user.name}:\n  ${timings.join('\n  ')}\n`);
    expect(timings.map((line) => line.split(':')[0])).toEqual(expect.arrayContaining(['npm ci', 'npm run build']));
    expect(existsSync(join(image.workdir, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(image.workdir, 'node_modules', 'tsx'))).toBe(false);

    // The CMD as USER would run it, with the image's ENV (HEALTH_PORT moved to a free port: 9090 may be taken here).
    const port = await freePort();
    const environment = {
      ...image.env,
      HOME: home,
      HEALTH_PORT: String(port),
      SLACK_BOT_TOKEN: slack.identity.botToken,
      SLACK_APP_TOKEN: slack.identity.appToken,
      SLACK_API_URL: slack.apiUrl,
      MOCK_DELAY_MS: '300',
      LOG_LEVEL: 'info',
    };
    bot = await startBotProcess({ name: 'container', cwd: image.workdir, env: environment, command: user.wrap(image.cmd ?? []), readyTimeoutMs: 30_000 });
    const health = healthClient(port);
    expect(await health.waitForReadiness('ready', (answer) => answer.status === 200)).toEqual({ status: 200, body: { ready: true } });
    const healthcheck = () => runAs(image.healthcheck ?? [], image.workdir, { PATH: process.env.PATH ?? '', ...environment });
    expect(await healthcheck()).toBe(0);

    // Native modules work: sharp renders the mock image, better-sqlite3 keeps the job in the volume.
    await slack.slashCommand({ userId: 'U0DOCKER', channelId: 'C0GENERAL', text: 'a banana in a container' });
    await slack.waitFor(
      () => slack.workspace.botMessages(slack.identity.botUserId).flatMap((message) => message.files).find((file) => sniffImageType(file.bytes) === 'image/png'),
      'the image uploaded on Slack',
      20_000,
    );
    const database = image.env['DATABASE_PATH'] as string;
    expect(database.startsWith(join(image.workdir, 'data'))).toBe(true);
    expect(existsSync(database)).toBe(true);
    if (process.getuid?.() === 0) expect(statSync(database).uid).not.toBe(0);

    const stoppingAt = Date.now();
    expect(await bot.stop()).toBe(0);
    expect(Date.now() - stoppingAt).toBeLessThan(10_000);
    expect(bot.logText()).toContain('stopping');
    expect(await healthcheck()).toBe(1);
  }, 420_000);
});

/** Runs `command` as the unprivileged user; resolves with its exit code. */
function runAs(command: readonly string[], cwd: string, env: Record<string, string>): Promise<number> {
  const wrapped = user.wrap(command);
  return new Promise((resolveRun) => {
    execFile(wrapped.file, wrapped.args, { cwd, env, timeout: 15_000 }, (error) => {
      resolveRun(error ? (typeof error.code === 'number' ? error.code : 1) : 0);
    });
  });
}
