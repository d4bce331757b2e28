// Human formatting of sizes and durations, shared by every message the core writes.

/** Formats a byte count the way people read file sizes ("2.5 MB", "30 MB", "812 KB"). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${Number((bytes / 1_000_000).toFixed(1))} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}

/** "300 ms", "1.5 s", "45 s", "2 min 5 s": how long something took or was waited for. */
export function formatDuration(milliseconds: number): string {
  const duration = Math.max(0, milliseconds);
  if (duration < 1000) return `${Math.round(duration)} ms`;
  if (duration < 10_000) return `${Number((duration / 1000).toFixed(1))} s`;
  const seconds = Math.round(duration / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
