// Plain-text tables with aligned columns, for the admin CLI and the admin answers in chat (inside code blocks).

/** `rows` (the first is usually the header) as lines whose columns line up; trailing spaces trimmed. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}
