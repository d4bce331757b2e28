// Reads how busy the whole machine was (Linux /proc/stat), so a run can show how much CPU other processes took from it.
import { readFileSync } from 'node:fs';

/** Cumulative machine CPU counters at one moment, in milliseconds summed over all cores. */
export interface MachineCpuSnapshot {
  busyMs: number;
  totalMs: number;
}

/** Linux reports jiffies at USER_HZ, which is 100 on every mainstream kernel build. */
const millisecondsPerTick = 10;

/** The counters now, or undefined where /proc/stat does not exist. */
export function readMachineCpu(): MachineCpuSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  // user nice system idle iowait irq softirq steal ...; idle and iowait are the time nobody ran.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busyMs: busy * millisecondsPerTick, totalMs: (busy + idle + iowait) * millisecondsPerTick };
}

/** Machine-wide CPU use between two snapshots, and what is left once `ownMs` (our processes) is taken out. */
export function machineCpuBetween(
  before: MachineCpuSnapshot | undefined,
  after: MachineCpuSnapshot | undefined,
  ownMs: number,
): { busyPercent: number; busyMs: number; otherProcessesMs: number } | undefined {
  if (before === undefined || after === undefined) return undefined;
  const busyMs = after.busyMs - before.busyMs;
  const totalMs = after.totalMs - before.totalMs;
  if (totalMs <= 0) return undefined;
  return { busyPercent: Math.round((busyMs / totalMs) * 1000) / 10, busyMs, otherProcessesMs: Math.max(0, busyMs - ownMs) };
}
