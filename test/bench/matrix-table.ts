// The matrix's one table: a Markdown row per configuration with the figures the issue asks for.
import type { BenchReport } from './bench-report.ts';

const thousands = (value: number) => Math.round(value).toLocaleString('en-US');

/** A label like "1 process, SQLite". */
function configurationLabel(report: BenchReport): string {
  const settings = report.settings as { processes: number; database: string };
  const database = settings.database === 'postgres' ? 'PostgreSQL' : 'SQLite';
  return `${settings.processes} process${settings.processes === 1 ? '' : 'es'}, ${database}`;
}

const seconds = (milliseconds: number) => (milliseconds / 1000).toFixed(1);

/** CPU seconds of the bot processes, the database server (when measured) and everything else on the machine during the job run. */
function cpuCell(report: BenchReport): string {
  const { bot, databaseServer } = report.cpuMs;
  const machine = report.machineCpuDuringRun;
  const others = typeof machine === 'string' ? '?' : seconds(machine.otherProcessesMs);
  const server = typeof databaseServer === 'number' ? seconds(databaseServer) : '–';
  return `${seconds(bot)} / ${server} / ${others} s`;
}

/** One row of cells. */
function rowOf(report: BenchReport): string[] {
  const { jobs, overheadRatio, detectionLagMs, claims } = report;
  const rss = report.peakRssPerProcessMb.map((megabytes) => `${Math.round(megabytes)}`).join(' / ');
  return [
    configurationLabel(report),
    `${jobs.completed} / ${jobs.failed}`,
    `${overheadRatio.p50.toFixed(3)} / ${overheadRatio.p99.toFixed(3)}`,
    `${thousands(detectionLagMs.p99)} ms`,
    `${thousands(claims.claimsPerSecond)} (${claims.jobsClaimed} in ${claims.passes} passes, ${(claims.busyMs / 1000).toFixed(2)} s)`,
    `${claims.passMs.p50.toFixed(1)} / ${claims.passMs.p99.toFixed(1)} ms`,
    thousands(report.ledgerPairsPerSecond),
    `${rss} MB`,
    `${Math.round(report.runWallMs / 1000)} s`,
    cpuCell(report),
  ];
}

const header = [
  'configuration',
  'jobs delivered / failed',
  'overhead ratio p50 / p99',
  'detection lag p99',
  'claims per second (claimed in passes, busy time)',
  'claim pass p50 / p99',
  'ledger reserve+commit pairs/s',
  'peak RSS per process',
  'job run wall time',
  'CPU during the job run: bots / database server / other processes',
];

/** The Markdown table of `reports`, in the order given. */
export function matrixTable(reports: readonly BenchReport[]): string {
  const lines = [header, header.map(() => '---'), ...reports.map(rowOf)].map((cells) => `| ${cells.join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}
