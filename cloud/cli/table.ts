/** Rows as a plain aligned table, header first, for a terminal. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (cell ?? "").padEnd(widths[column])).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
