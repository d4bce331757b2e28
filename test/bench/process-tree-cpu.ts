// CPU time of a process and all its children (Linux /proc), so the report can say what the PostgreSQL server itself used.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports jiffies at USER_HZ, which is 100 on every mainstream kernel build. */
const millisecondsPerTick = 10;

interface ProcessTimes {
  parentPid: number;
  /** utime + stime of the process itself. */
  ownTicks: number;
  /** cutime + cstime: children that have exited and been waited for. */
  reapedChildrenTicks: number;
}

function readTimes(pid: number): ProcessTimes | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may contain spaces and parentheses; the fields after its closing one are fixed.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  return {
    parentPid: fields[1] ?? 0,
    ownTicks: (fields[11] ?? 0) + (fields[12] ?? 0),
    reapedChildrenTicks: (fields[13] ?? 0) + (fields[14] ?? 0),
  };
}

/**
 * CPU milliseconds used so far by `rootPid`, its live children (one level: PostgreSQL's backends
 * and helpers are children of the postmaster) and its exited children; undefined off Linux.
 */
export function processTreeCpuMs(rootPid: number): number | undefined {
  const root = readTimes(rootPid);
  if (root === undefined) return undefined;
  let ticks = root.ownTicks + root.reapedChildrenTicks;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === rootPid) continue;
    const times = readTimes(pid);
    if (times?.parentPid === rootPid) ticks += times.ownTicks;
  }
  return ticks * millisecondsPerTick;
}

/** The postmaster's pid from a data directory's postmaster.pid (its first line). */
export function postmasterPid(dataDirectory: string): number | undefined {
  try {
    const pid = Number(readFileSync(`${dataDirectory}/postmaster.pid`, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
