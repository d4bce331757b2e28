// Who runs the Dockerfile's commands in the container test: `nobody` through setpriv when the test runs as root, else the current user.
import { execFileSync } from 'node:child_process';
import { chownSync } from 'node:fs';

/** A user without privileges to run commands as, standing in for the image's `node` user. */
export interface UnprivilegedUser {
  /** For messages: `nobody` or the current user's uid. */
  readonly name: string;
  /** The command line that runs `command` as this user (exec'd, not forked: signals reach the command itself). */
  wrap(command: readonly string[]): { file: string; args: string[] };
  /** Gives `path` (and with `recursive`, everything under it) to this user; nothing to do when the test is not root. */
  own(path: string, options?: { recursive?: boolean }): void;
}

const nobody = { uid: 65534, gid: 65534 };

/** `nobody` when running as root (as CI does), else the current user, who is unprivileged already. */
export function unprivilegedUser(): UnprivilegedUser {
  if (process.getuid?.() !== 0) {
    return {
      name: `uid ${process.getuid?.() ?? '?'}`,
      wrap: (command) => ({ file: command[0] as string, args: command.slice(1) }),
      own: () => undefined,
    };
  }
  return {
    name: 'nobody',
    // setpriv execs the command (su and runuser fork, and answer SIGTERM by killing it).
    wrap: (command) => ({
      file: 'setpriv',
      args: [`--reuid=${nobody.uid}`, `--regid=${nobody.gid}`, '--clear-groups', '--', ...command],
    }),
    own(path, options = {}) {
      if (options.recursive) execFileSync('chown', ['-R', `${nobody.uid}:${nobody.gid}`, path]);
      else chownSync(path, nobody.uid, nobody.gid);
    },
  };
}
