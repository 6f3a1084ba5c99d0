export type Align = "left" | "right";

/**
 * Rows of cells (the first row usually a header) as aligned columns two spaces apart, each as wide as
 * its widest cell; columns align right unless `align` says otherwise.
 */
export function formatTable(rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(0, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, i) => (align[i] === "left" ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
