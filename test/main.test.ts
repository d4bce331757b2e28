// `npm start` as a real process: it refuses to start without a platform, and names bad variables.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = resolve(import.meta.dirname, '..');

function runMain(environment: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'nano-main-'));
  return new Promise((resolvePromise) => {
    execFile(
      join(projectRoot, 'node_modules/.bin/tsx'),
      [join(projectRoot, 'src/main.ts')],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...environment }, timeout: 30_000 },
      (error, _stdout, stderr) => resolvePromise({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
    );
  });
}

describe('npm start', () => {
  it('says what to set and exits non-zero when no platform is configured', async () => {
    const run = await runMain({});
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DISCORD_TOKEN');
    expect(run.stderr).toContain('SLACK_BOT_TOKEN');
    expect(run.stderr).toContain('npm run imagine');
  });

  it('stops with a message naming HEALTH_PORT when the health port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
    const port = (blocker.address() as AddressInfo).port;
    try {
      // Nothing answers on port 1: the bot must fail on the health port before it tries Discord.
      const run = await runMain({ DISCORD_TOKEN: 'x', DISCORD_API_URL: 'http://127.0.0.1:1/api', HEALTH_PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`127.0.0.1:${port} (is in use)`);
      expect(run.stderr).toContain('HEALTH_PORT');
    } finally {
      await new Promise<void>((resolveClose) => blocker.close(() => resolveClose()));
    }
  });

  it('names the variable when the configuration is invalid', async () => {
    const run = await runMain({ DISCORD_TOKEN: 'x', QUOTA_DAILY_CREDITS: 'lots' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('QUOTA_DAILY_CREDITS');
  });
});
