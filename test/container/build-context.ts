// The files `docker build .` would see: the repository's files (tracked, or new and not ignored) less what .dockerignore leaves out.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One .dockerignore line as a matcher; `include` for `!pattern` lines. */
interface IgnoreRule {
  pattern: RegExp;
  include: boolean;
}

/**
 * Docker's matching, as far as this project's .dockerignore needs it: patterns are relative to the
 * context root, `*` and `?` stay within one path segment, `**` spans any number of them, and a
 * pattern that matches a folder excludes everything under it. The last matching line wins.
 */
export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const glob = (include ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      const source = glob
        .split('/')
        .map((segment) => (segment === '**' ? '.*' : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/');
      return { pattern: new RegExp(`^${source}(?:/.*)?$`), include };
    });
}

/** Whether `path` (relative, `/`-separated) stays out of the build context. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  let ignored = false;
  for (const rule of rules) if (rule.pattern.test(path)) ignored = !rule.include;
  return ignored;
}

/** Relative paths of every file in the context of a build run in `root`. */
export function buildContextFiles(root: string): string[] {
  // New files count too: the test must see a Dockerfile change before it is committed.
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  const ignoreFile = join(root, '.dockerignore');
  const rules = existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, 'utf8')) : [];
  // Deleted but not yet committed files are still listed by git.
  return [...new Set(listed)].filter((path) => existsSync(join(root, path)) && statSync(join(root, path)).isFile() && !isIgnored(rules, path));
}
