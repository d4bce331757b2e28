// The committed systemd unit: the settings the README promises, the image's entry point, and systemd-analyze's approval.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execForm, instructionsOf, parseDockerfile, type Stage } from './dockerfile.ts';

const projectRoot = resolve(import.meta.dirname, '../..');
const unitText = readFileSync(join(projectRoot, 'nano-imagine.service'), 'utf8');

/** `Key=value` lines of the unit (a key given twice keeps its last value, as systemd does for these). */
function settings(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) found.set(match[1] as string, [...(found.get(match[1] as string) ?? []), match[2] as string]);
  }
  return found;
}

describe('nano-imagine.service', () => {
  const unit = settings(unitText);
  const one = (key: string) => unit.get(key)?.at(-1);

  it('restarts on failure, stops with SIGTERM and a grace period, and runs as a dedicated user with an environment file', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(Number(one('TimeoutStopSec'))).toBeGreaterThanOrEqual(10);
    expect(one('User')).toBe('nano-imagine');
    expect(one('EnvironmentFile')).toMatch(/^\/etc\//);
    // The SQLite file is in the state directory systemd creates for that user.
    const dataDirectory = `/var/lib/${one('StateDirectory')}`;
    expect(unit.get('Environment')).toContain(`DATABASE_PATH=${dataDirectory}/bot.db`);
    expect(one('WorkingDirectory')).toBe(dataDirectory);
  });

  it('starts the same compiled entry point as the container image, with plain node', () => {
    const runtime = parseDockerfile(readFileSync(join(projectRoot, 'Dockerfile'), 'utf8')).at(-1) as Stage;
    const cmd = execForm(instructionsOf(runtime, 'CMD').at(-1)?.text ?? '');
    const [node, entry, ...rest] = (one('ExecStart') ?? '').split(' ');
    expect(node).toMatch(/\/node$/);
    expect(rest).toEqual([]);
    expect(cmd).toHaveLength(2);
    expect(entry?.endsWith(`/${cmd?.[1]}`)).toBe(true);
  });

  it('is accepted by systemd-analyze verify', async () => {
    const analyzer = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((path) => existsSync(path));
    if (analyzer === undefined) return; // nothing to ask on a machine without systemd's tools
    const folder = mkdtempSync(join(tmpdir(), 'nano-unit-'));
    try {
      // The node of this machine stands in for /usr/bin/node, which systemd checks is executable.
      const unitFile = join(folder, 'nano-imagine.service');
      writeFileSync(unitFile, unitText.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const output = await new Promise<string>((resolveRun) =>
        execFile(analyzer, ['verify', unitFile], (error, stdout, stderr) => resolveRun(error ? `${error.message}\n${stdout}${stderr}` : `${stdout}${stderr}`)),
      );
      expect(output.trim()).toBe('');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
